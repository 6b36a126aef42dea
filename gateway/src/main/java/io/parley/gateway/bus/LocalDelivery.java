package io.parley.gateway.bus;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.parley.gateway.core.CommitOutbox;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.command.ChatEvent;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes an event to this node's connections of its recipients. The event is encoded once per
 * dialect and the same bytes are shared by every recipient of that dialect
 * ({@code retainedDuplicate}), as the ideal broadcast does.
 *
 * <p>Recipients are grouped by event loop and each loop gets one task that writes to all of its
 * connections, instead of one cross-thread task per connection: a push to a 1,000-member chat
 * costs a task per event loop, not a thousand (called on an event loop, that loop's share is
 * written at once). Each connection still sees its pushes in the order they were delivered.
 *
 * <p>Slow consumers: a connection whose outbound buffer is over its limit (the channel is not
 * writable) is closed with {@link io.parley.gateway.websocket.CloseCodes#SLOW_CONSUMER} instead of
 * buffering without bound; it can reconnect and page what it missed from history.
 */
public final class LocalDelivery {
    private final SessionRegistry sessions;
    private final GatewayMetrics metrics;
    private final SlowConsumerPolicy slowConsumers;

    public LocalDelivery(SessionRegistry sessions, GatewayMetrics metrics, SlowConsumerPolicy slowConsumers) {
        this.sessions = sessions;
        this.metrics = metrics;
        this.slowConsumers = slowConsumers;
    }

    public void deliver(Envelope envelope) {
        Map<DialectCodec, List<Session>> byDialect = new IdentityHashMap<>(4);
        for (String userId : envelope.recipients()) {
            sessions.forEachOf(userId, session -> {
                if (session.id() != envelope.originSessionId() && session.wants(envelope.event())) {
                    byDialect.computeIfAbsent(session.codec(), c -> new ArrayList<>()).add(session);
                }
            });
        }
        byDialect.forEach((codec, recipients) -> {
            byte[] encoded = codec.encodeEvent(envelope.event());
            if (encoded == null) {
                return;
            }
            ByteBuf shared = Unpooled.wrappedBuffer(encoded);
            try {
                byEventLoop(recipients).forEach((loop, onLoop) -> writeOn(loop, onLoop, shared, envelope.event()));
            } finally {
                shared.release();
            }
        });
    }

    private static Map<EventLoop, List<Session>> byEventLoop(List<Session> recipients) {
        Map<EventLoop, List<Session>> byLoop = new IdentityHashMap<>(4);
        for (Session session : recipients) {
            byLoop.computeIfAbsent(session.channel().eventLoop(), l -> new ArrayList<>()).add(session);
        }
        return byLoop;
    }

    /** Writes to the loop's connections now when called on it, else in one task of its own. */
    private void writeOn(EventLoop loop, List<Session> onLoop, ByteBuf shared, ChatEvent event) {
        if (loop.inEventLoop()) {
            writeAll(onLoop, shared, event);
            return;
        }
        ByteBuf reference = shared.retain(); // the task's own: the caller releases its reference at once
        try {
            CommitOutbox.execute(loop, () -> { // with the rest of a commit's work for this loop
                try {
                    writeAll(onLoop, reference, event);
                } finally {
                    reference.release();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            reference.release(); // the loop is shutting down: its connections are closing anyway
        }
    }

    private void writeAll(List<Session> onLoop, ByteBuf shared, ChatEvent event) {
        int written = 0;
        for (Session session : onLoop) {
            if (slowConsumers.admit(session)) {
                session.sendShared(shared, event);
                metrics.frameOut(session.dialect());
                written++;
            }
        }
        metrics.deliveries(written);
    }
}
