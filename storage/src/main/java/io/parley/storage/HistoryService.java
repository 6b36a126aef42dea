package io.parley.storage;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The asynchronous face of the {@link HistoryStore}, safe to call from a Netty event loop: no
 * method blocks. Appends go through a few group-commit writers ({@link GroupCommitWriter}), each
 * chat always to the same one; every other operation runs on a small bounded pool ({@link
 * StoreCallExecutor}). Every queue has a capacity and every wait a deadline (a watchdog fails
 * overdue appends even while a commit hangs); refusals are failed futures carrying the numbers.
 *
 * <p><b>Threads.</b> Futures complete on storage threads ({@code parley-history-writer-N},
 * {@code parley-history-io-N}, {@code parley-history-deadline}). A caller on an event loop must
 * hop back before touching its channels, e.g. {@code future.whenCompleteAsync(handler,
 * channel.eventLoop())}, and must not run slow work in a plain {@code thenAccept}: that runs on
 * the writer and delays every later commit.
 *
 * <p><b>Ordering.</b> Append futures complete in commit order, which within a chat is sequence
 * order. Hopping to a single event loop per chat keeps that order.
 *
 * <p>The service owns the store: {@link #close()} closes it.
 */
public final class HistoryService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HistoryService.class);

    static final String WATCHDOG_THREAD = "parley-history-watchdog";
    /** How often overdue appends are looked for: an answer comes at most this late past the deadline. */
    private static final long WATCHDOG_PERIOD_MILLIS = 50;

    private final HistoryStore store;
    private final HistoryOptions options;
    private final HistoryMetrics metrics;
    private final List<GroupCommitWriter> writers;
    private final ScheduledExecutorService watchdog;
    private final StoreCallExecutor calls;
    private final AtomicBoolean closed = new AtomicBoolean();

    public HistoryService(HistoryStore store, HistoryOptions options, MeterRegistry registry) {
        this.store = Objects.requireNonNull(store, "store");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(registry, "registry");
        // The gauges read the queues through these lambdas; the fields are set just below.
        this.metrics = new HistoryMetrics(registry, this::writeQueueDepth, this::writeQueueCapacity,
                this::readQueueDepth, options.readQueueCapacity(), store::fileBytes);
        this.writers = newWriters(store, options, metrics);
        this.calls = new StoreCallExecutor(store, options, metrics);
        writers.forEach(GroupCommitWriter::start);
        this.watchdog = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, WATCHDOG_THREAD);
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, Math.min(WATCHDOG_PERIOD_MILLIS, options.operationTimeout().toMillis() / 4));
        watchdog.scheduleWithFixedDelay(() -> writers.forEach(GroupCommitWriter::failOverdue), period, period,
                TimeUnit.MILLISECONDS);
        log.info("history service started on {} with {}", store, options);
    }

    /**
     * Queues a message for the next group commit. The future completes with the committed
     * message (its sequence assigned) once the transaction holding it has committed, or fails with
     * a {@link StoreException}: {@link StoreOverloadedException} at once when the write queue is
     * full, otherwise when the commit fails, the message waited longer than the operation timeout,
     * or the service is shutting down. A failed future means the message is not acknowledged.
     */
    public CompletableFuture<Message> append(NewMessage message) {
        Objects.requireNonNull(message, "message");
        return writers.get(Math.floorMod(message.chatId().hashCode(), writers.size())).submit(message);
    }

    /**
     * Runs {@code op} on a storage thread with the operation timeout as its deadline. For reads
     * and small writes (read cursors, chat creation). Fails with {@link StoreOverloadedException}
     * at once when the read queue is full, with {@link StoreException} on timeout or shutdown;
     * an exception thrown by {@code op} fails the future as it is.
     *
     * @param operation a constant name (for example {@code "page"}); it tags the latency metric
     */
    public <T> CompletableFuture<T> call(String operation, Function<HistoryStore, T> op) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(op, "op");
        return calls.call(operation, op);
    }

    /** Appends waiting for a writer, all writers together (readiness, tests). */
    public int writeQueueDepth() {
        return sumOverWriters(GroupCommitWriter::depth);
    }

    /**
     * Appends the writers hold in all: the configured capacity, or one per writer when that is
     * smaller than the number of writers.
     */
    public int writeQueueCapacity() {
        return sumOverWriters(GroupCommitWriter::capacity);
    }

    private int sumOverWriters(ToIntFunction<GroupCommitWriter> each) {
        if (writers == null) {
            return 0;
        }
        int sum = 0;
        for (GroupCommitWriter writer : writers) {
            sum += each.applyAsInt(writer);
        }
        return sum;
    }

    /** Calls waiting for a read thread. */
    public int readQueueDepth() {
        return calls == null ? 0 : calls.queueDepth();
    }

    /** The writers, each with its share of the queue capacity (the first ones get the remainder). */
    private static List<GroupCommitWriter> newWriters(HistoryStore store, HistoryOptions options,
                                                      HistoryMetrics metrics) {
        int n = options.writerThreads();
        List<GroupCommitWriter> writers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int share = options.writeQueueCapacity() / n + (i < options.writeQueueCapacity() % n ? 1 : 0);
            writers.add(new GroupCommitWriter(store, options, metrics, i + 1, Math.max(1, share)));
        }
        return List.copyOf(writers);
    }

    public HistoryOptions options() {
        return options;
    }

    /**
     * Graceful stop: refuses new work ("shutting down"), commits everything already queued, stops
     * the threads and closes the store. Waits at most twice (operation timeout + connection
     * timeout): a queued append older than the operation timeout is failed rather than written,
     * so the drain ends by itself even with the database down.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writers.forEach(GroupCommitWriter::stopAccepting);
        calls.stopAccepting();
        Duration wait = options.operationTimeout().plus(DataSources.CONNECTION_TIMEOUT);
        try {
            long deadline = System.nanoTime() + wait.toNanos();
            for (GroupCommitWriter writer : writers) { // they drain in parallel; wait for all at once
                writer.awaitDrained(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            calls.awaitIdle(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while draining the history queues; closing the store now");
        } finally {
            watchdog.shutdownNow();
            try {
                store.close();
            } finally {
                metrics.close();
            }
        }
        log.info("history service closed");
    }
}
