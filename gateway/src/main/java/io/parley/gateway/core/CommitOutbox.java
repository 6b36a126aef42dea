package io.parley.gateway.core;

import io.netty.util.concurrent.EventExecutor;
import io.parley.storage.CommitBracket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends the side effects of one group commit together. A commit completes a batch of sends on
 * the history writer thread; each completion writes an ack, pushes to local recipients and
 * publishes to the bus. Done one by one, that is a wake-up of an event loop per ack or push and
 * of the publisher per message, and on a small VM a wake-up costs more than the message's own
 * work. Inside a commit's completions ({@link CommitBracket}), {@link #execute} collects the tasks
 * per event loop and {@link #atCommitEnd} the flushes, and when the completions are done each
 * loop gets one task with all of its work, in the order it was asked for, and each flush runs
 * once. Anywhere else both act at once.
 */
public final class CommitOutbox implements CommitBracket {
    private static final Logger log = LoggerFactory.getLogger(CommitOutbox.class);

    /** The open commit of this writer thread, or null outside one. */
    private static final ThreadLocal<Pending> OPEN = new ThreadLocal<>();

    /** What one commit's completions asked for. */
    private static final class Pending {
        final Map<EventExecutor, List<Runnable>> byLoop = new IdentityHashMap<>(4);
        final List<Runnable> atEnd = new ArrayList<>(2);
    }

    /** Runs {@code task} on {@code loop}: at once, or with the rest of the open commit's work for that loop. */
    public static void execute(EventExecutor loop, Runnable task) {
        Pending pending = OPEN.get();
        if (pending == null) {
            loop.execute(task);
        } else {
            pending.byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(task);
        }
    }

    /**
     * Runs {@code flush} once when the open commit's completions are done (after its event-loop
     * tasks are handed over), however often it is asked for.
     *
     * @return false outside a commit: nothing was deferred, the caller acts itself
     */
    public static boolean atCommitEnd(Runnable flush) {
        Pending pending = OPEN.get();
        if (pending == null) {
            return false;
        }
        for (Runnable known : pending.atEnd) {
            if (known == flush) {
                return true;
            }
        }
        pending.atEnd.add(flush);
        return true;
    }

    @Override
    public void opening() {
        OPEN.set(new Pending());
    }

    @Override
    public void closing() {
        Pending pending = OPEN.get();
        OPEN.remove();
        if (pending == null) {
            return;
        }
        pending.byLoop.forEach(CommitOutbox::handOver);
        for (Runnable flush : pending.atEnd) {
            run(flush);
        }
    }

    private static void handOver(EventExecutor loop, List<Runnable> tasks) {
        try {
            loop.execute(() -> tasks.forEach(CommitOutbox::run));
        } catch (RejectedExecutionException shuttingDown) {
            // The loop is shutting down: run them here, so what they hold is released (their writes fail).
            tasks.forEach(CommitOutbox::run);
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("a commit's side effect failed", e); // the others still run
        }
    }
}
