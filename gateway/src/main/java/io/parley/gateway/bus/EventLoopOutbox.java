package io.parley.gateway.bus;

import io.netty.channel.EventLoop;
import io.parley.gateway.session.FlushBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop's share of the deliveries, run on that loop in exactly the order they were
 * handed in, from whichever thread (history writer, Redis, gap fills). That order is the chat's:
 * the {@link ChatSequencer} hands a chat's messages in one at a time.
 *
 * <p>Tasks always run in a drain task of their own, also when handed in on the loop itself: a
 * task run at once, in the middle of whatever the loop was doing, could overtake the ones queued
 * before it, or complete an answer before its caller has attached what writes it.
 *
 * <p>Tasks handed in while a drain is pending join it: a burst (a group commit's pushes and
 * acknowledgements) costs the loop a wake-up per drain, not one per task.
 */
final class EventLoopOutbox {
    private static final Logger log = LoggerFactory.getLogger(EventLoopOutbox.class);

    private final EventLoop loop;
    private final FlushBatch flushes;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /** @param flushes the loop's flush batch: a drain's writes leave with one flush per connection */
    EventLoopOutbox(EventLoop loop, FlushBatch flushes) {
        this.loop = loop;
        this.flushes = flushes;
    }

    void submit(Runnable task) {
        tasks.add(task);
        if (drainPending.compareAndSet(false, true)) {
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException shuttingDown) {
                // Run here, so what the tasks hold is released (their writes fail); the loop's
                // flush batch belongs to its thread and stays out of it.
                runTasks();
            }
        }
    }

    private void drain() {
        flushes.open();
        try {
            runTasks();
        } finally {
            flushes.close();
        }
    }

    private void runTasks() {
        drainPending.set(false); // before polling: a task added after the last poll schedules a new drain
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("a delivery failed", e); // the others still run
            }
        }
    }
}
