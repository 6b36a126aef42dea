package io.parley.gateway.support;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.Ticker;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real, thread-safe {@link io.netty.util.concurrent.EventExecutor} whose "event loop thread" is
 * the test thread: code running on the test thread is in the loop (pipeline calls run inline, as
 * on {@code EmbeddedChannel}), and tasks handed in from any other thread wait in a concurrent
 * queue until the test runs them with {@link #runPending()}.
 *
 * <p>Why: {@code EmbeddedChannel}'s event loop keeps its tasks in a plain {@code ArrayDeque}, so
 * when a handler hops back from a storage thread with {@code ctx.executor().execute(..)} the
 * storage thread and the test thread race on that deque. Adding the handler under test with
 * {@code pipeline.addLast(executor, name, handler)} gives it this executor as
 * {@code ctx.executor()}: completions queue safely, and the test decides when they run, which
 * also makes "requests still in flight" a state a test can hold.
 *
 * <p>Scheduled tasks ({@code ctx.executor().schedule(..)}: deadlines, heartbeats) run on a frozen
 * clock that only {@link #advanceTimeBy} moves, so a test steps through time without sleeping.
 */
public final class TestThreadExecutor extends AbstractScheduledEventExecutor {
    private final Thread owner = Thread.currentThread();
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Promise<Void> termination = new DefaultPromise<>(ImmediateEventExecutor.INSTANCE);
    private final MockTicker ticker = Ticker.newMockTicker();

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return thread == owner;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /**
     * Runs the tasks queued so far and the scheduled tasks that are due (on the calling thread,
     * which should be the test thread).
     */
    public int runPending() {
        int ran = 0;
        for (Runnable task; (task = tasks.poll()) != null; ran++) {
            task.run();
        }
        for (Runnable task; (task = pollScheduledTask(ticker.nanoTime())) != null; ran++) {
            task.run();
        }
        return ran;
    }

    /** Moves the clock forward, then runs what is queued and what has become due; returns how many ran. */
    public int advanceTimeBy(Duration duration) {
        ticker.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
        return runPending();
    }

    /** Waits up to {@code timeout} until at least {@code count} tasks are queued, without running them. */
    public boolean awaitPending(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tasks.size() < count) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Tasks waiting to run. */
    public int pending() {
        return tasks.size();
    }

    /** Waits up to {@code timeout} for a task to be queued, then runs everything queued; returns how many ran. */
    public int awaitAndRun(Duration timeout) {
        try {
            Runnable first = tasks.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return 0;
            }
            first.run();
            return 1 + runPending();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    // ---- lifecycle: nothing to stop --------------------------------------------------------------

    @Override
    public boolean isShuttingDown() {
        return termination.isDone();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        termination.trySuccess(null);
        return termination;
    }

    @Override
    public Future<?> terminationFuture() {
        return termination;
    }

    @Override
    @Deprecated
    public void shutdown() {
        termination.trySuccess(null);
    }

    @Override
    public boolean isShutdown() {
        return termination.isDone();
    }

    @Override
    public boolean isTerminated() {
        return termination.isDone();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return termination.isDone();
    }
}
