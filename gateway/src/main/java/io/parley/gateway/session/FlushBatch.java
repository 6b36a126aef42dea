package io.parley.gateway.session;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One event loop's batch of deliveries (the pushes and acknowledgements of a group commit): while
 * it is open, the connections it writes to put off their flush, and when it closes each is
 * flushed once. A thousand pushes to a thousand sockets cost a thousand write system calls, not
 * a thousand scheduled flush tasks. Confined to its event loop.
 */
public final class FlushBatch {
    private static final Logger log = LoggerFactory.getLogger(FlushBatch.class);

    /** A connection's put-off flush. */
    public interface DeferredFlush {
        void flushDeferred();
    }

    private final List<DeferredFlush> deferred = new ArrayList<>();
    private boolean open;

    public void open() {
        open = true;
    }

    /** Puts {@code flush} off to the end of the open batch; false when none is open (flush now). */
    public boolean defer(DeferredFlush flush) {
        if (open) {
            deferred.add(flush);
        }
        return open;
    }

    /** Flushes every connection written to during the batch. */
    public void close() {
        open = false;
        for (int i = 0; i < deferred.size(); i++) {
            try {
                deferred.get(i).flushDeferred();
            } catch (RuntimeException e) {
                log.error("a deferred flush failed", e); // the others still flush
            }
        }
        deferred.clear();
    }

    /** The batch of each event loop, shared by whoever opens batches and the connections' flush handlers. */
    public static final class PerLoop {
        private final Map<EventLoop, FlushBatch> batches = new ConcurrentHashMap<>();

        public FlushBatch of(EventLoop loop) {
            FlushBatch batch = batches.get(loop);
            return batch != null ? batch : batches.computeIfAbsent(loop, l -> new FlushBatch());
        }
    }
}
