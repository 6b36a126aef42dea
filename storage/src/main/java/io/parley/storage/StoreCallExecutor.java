package io.parley.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The read path of {@link HistoryService}: a fixed pool of threads with a bounded queue that runs
 * store operations, each under a deadline. Work whose deadline passed while it queued is skipped.
 * A timed-out operation that already runs finishes in the background (JDBC offers no safe way to
 * stop it); only its caller stops waiting.
 */
final class StoreCallExecutor {

    static final String THREAD_PREFIX = "parley-history-io-";
    static final String DEADLINE_THREAD = "parley-history-deadline";

    private static final Logger log = LoggerFactory.getLogger(StoreCallExecutor.class);

    private final HistoryStore store;
    private final HistoryMetrics metrics;
    private final long timeoutNanos;
    private final int queueCapacity;
    private final ThreadPoolExecutor pool;
    private final ScheduledThreadPoolExecutor deadlines;
    private volatile boolean closing;

    StoreCallExecutor(HistoryStore store, HistoryOptions options, HistoryMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.timeoutNanos = options.operationTimeout().toNanos();
        this.queueCapacity = options.readQueueCapacity();
        this.pool = new ThreadPoolExecutor(options.readThreads(), options.readThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), numberedThreads(THREAD_PREFIX),
                new ThreadPoolExecutor.AbortPolicy());
        // One timer thread for all deadlines; cancelled deadlines leave its queue at once.
        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> daemon(runnable, DEADLINE_THREAD));
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    int queueDepth() {
        return pool.getQueue().size();
    }

    <T> CompletableFuture<T> call(String operation, Function<HistoryStore, T> op) {
        Answer<T> answer = new Answer<>(metrics.callLatency(operation), metrics.callsFailed(operation));
        if (closing) {
            answer.fail(new StoreException("history is shutting down: '" + operation + "' refused"));
            return answer.future;
        }
        answer.deadline = deadlines.schedule(() -> answer.failCounted(timedOut(operation, answer.start)), timeoutNanos,
                TimeUnit.NANOSECONDS);
        try {
            pool.execute(new Call<>(operation, op, answer));
        } catch (RejectedExecutionException e) {
            if (closing || pool.isShutdown()) {
                answer.fail(new StoreException("history is shutting down: '" + operation + "' refused"));
            } else {
                metrics.callsRejected.increment();
                answer.fail(new StoreOverloadedException("history read queue full: '" + operation
                        + "' refused, " + queueDepth() + " queued of capacity " + queueCapacity + ", "
                        + pool.getActiveCount() + " of " + pool.getMaximumPoolSize() + " threads busy"));
            }
        }
        return answer.future;
    }

    /** From now on every call fails with "shutting down"; queued and running calls go on. */
    void stopAccepting() {
        closing = true;
        pool.shutdown();
    }

    /**
     * Waits at most {@code wait} for queued and running calls (after {@link #stopAccepting()}),
     * then fails whatever is still queued and stops the deadline timer.
     *
     * @return true if every call finished in time
     */
    boolean awaitIdle(Duration wait) throws InterruptedException {
        boolean finished = pool.awaitTermination(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        if (!finished) {
            List<Runnable> queued = new ArrayList<>();
            pool.getQueue().drainTo(queued);
            for (Runnable r : queued) {
                if (r instanceof Call<?> call) {
                    call.answer.fail(new StoreException(
                            "history is shutting down: '" + call.operation + "' dropped from the read queue"));
                }
            }
            log.warn("history calls still running after {} ms; {} queued call(s) failed", wait.toMillis(),
                    queued.size());
        }
        deadlines.shutdownNow();
        return finished;
    }

    private StoreException timedOut(String operation, long start) {
        return new StoreException("history call '" + operation + "' timed out after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms (limit "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; " + queueDepth() + " queued, "
                + pool.getActiveCount() + " of " + pool.getMaximumPoolSize() + " threads busy)");
    }

    /**
     * A call's future, completed once (by the call, its deadline or a refusal); its latency is
     * recorded and its deadline cancelled before, so whoever waits on it sees the call counted.
     */
    private static final class Answer<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final long start = System.nanoTime();
        private final Timer latency;
        private final Counter failures;
        private final AtomicBoolean finished = new AtomicBoolean();
        volatile ScheduledFuture<?> deadline;

        Answer(Timer latency, Counter failures) {
            this.latency = latency;
            this.failures = failures;
        }

        boolean isDone() {
            return finished.get();
        }

        void complete(T value) {
            if (finish()) {
                future.complete(value);
            }
        }

        /** A refusal or the caller's own verdict: counted where it is decided, if at all. */
        void fail(Throwable failure) {
            if (finish()) {
                future.completeExceptionally(failure);
            }
        }

        /** A timeout or a failure of the store. */
        void failCounted(Throwable failure) {
            if (finish()) {
                failures.increment();
                future.completeExceptionally(failure);
            }
        }

        private boolean finish() {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> timer = deadline;
            if (timer != null) {
                timer.cancel(false);
            }
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return true;
        }
    }

    /** A queued store operation; knows its answer so that shutdown can fail it. */
    private final class Call<T> implements Runnable {
        final String operation;
        final Function<HistoryStore, T> op;
        final Answer<T> answer;

        Call(String operation, Function<HistoryStore, T> op, Answer<T> answer) {
            this.operation = operation;
            this.op = op;
            this.answer = answer;
        }

        @Override
        public void run() {
            if (answer.isDone()) {
                return; // timed out while queued: nobody waits for it any more
            }
            try {
                answer.complete(op.apply(store));
            } catch (StoreException | Error e) {
                answer.failCounted(e);
            } catch (RuntimeException e) {
                answer.fail(e); // the caller's own verdict (a refused request), not the store's failure
            }
        }
    }

    private static ThreadFactory numberedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> daemon(runnable, prefix + next.getAndIncrement());
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
