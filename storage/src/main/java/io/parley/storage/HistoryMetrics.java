package io.parley.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The meters of {@link HistoryService}. Names are Micrometer's dotted form; the Prometheus
 * registry renders them as {@code parley_history_write_queue_depth} and so on.
 */
final class HistoryMetrics implements AutoCloseable {

    static final String WRITE_QUEUE_DEPTH = "parley.history.write.queue.depth";
    static final String WRITE_QUEUE_CAPACITY = "parley.history.write.queue.capacity";
    static final String READ_QUEUE_DEPTH = "parley.history.read.queue.depth";
    static final String READ_QUEUE_CAPACITY = "parley.history.read.queue.capacity";
    static final String BATCH_SIZE = "parley.history.batch.size";
    static final String COMMIT_LATENCY = "parley.history.commit.latency";
    static final String BATCH_WAIT = "parley.history.batch.wait";
    static final String WRITES_REJECTED = "parley.history.writes.rejected";
    static final String WRITES_FAILED = "parley.history.writes.failed";
    static final String CALL_LATENCY = "parley.history.call.latency";
    static final String CALLS_REJECTED = "parley.history.calls.rejected";
    static final String CALLS_FAILED = "parley.history.calls.failed";
    static final String FILE_SIZE = "parley.history.file";

    /**
     * Buckets of the call latency histogram. Explicit and few, unlike the commit latency's default
     * percentile histogram: the call timer has one series set per operation, so the default
     * buckets would multiply into a thousand series. Calls time out at the operation timeout,
     * which +Inf covers whatever it is configured to.
     */
    static final Duration[] CALL_LATENCY_BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Timer> callTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> callFailures = new ConcurrentHashMap<>();

    final DistributionSummary batchSize;
    final Timer commitLatency;
    final Timer batchWait;
    final Counter writesRejected;
    final Counter writesFailed;
    final Counter callsRejected;

    /**
     * The capacities are gauges beside the depths so that an alert can compare the two without
     * knowing the node's configuration.
     */
    HistoryMetrics(MeterRegistry registry, IntSupplier writeQueueDepth, IntSupplier writeQueueCapacity,
                   IntSupplier readQueueDepth, int readQueueCapacity, Supplier<OptionalLong> fileBytes) {
        this.registry = registry;
        if (fileBytes.get().isPresent()) { // an embedded store
            add(Gauge.builder(FILE_SIZE, fileBytes, HistoryMetrics::bytesOrNaN)
                    .description("Size of the embedded store's files (database and journal) on this node's disk")
                    .baseUnit("bytes")
                    .strongReference(true)
                    .register(registry));
        }
        add(Gauge.builder(WRITE_QUEUE_DEPTH, writeQueueDepth, IntSupplier::getAsInt)
                .description("Appends waiting for the history writer")
                .strongReference(true)
                .register(registry));
        add(Gauge.builder(WRITE_QUEUE_CAPACITY, writeQueueCapacity, IntSupplier::getAsInt)
                .description("Appends the write queues hold in all (the sum of every writer's share)")
                .strongReference(true)
                .register(registry));
        add(Gauge.builder(READ_QUEUE_DEPTH, readQueueDepth, IntSupplier::getAsInt)
                .description("History calls waiting for a read thread")
                .strongReference(true)
                .register(registry));
        add(Gauge.builder(READ_QUEUE_CAPACITY, () -> readQueueCapacity)
                .description("History calls the read queue holds")
                .strongReference(true)
                .register(registry));
        batchSize = add(DistributionSummary.builder(BATCH_SIZE)
                .description("Messages committed per transaction (group commit)")
                .baseUnit("messages")
                .register(registry));
        commitLatency = add(Timer.builder(COMMIT_LATENCY)
                .description("Time of one successful append: lock to commit and, on the embedded store,"
                        + " the journal's forced write")
                .publishPercentileHistogram()
                .register(registry));
        batchWait = add(Timer.builder(BATCH_WAIT)
                .description("How long each batch's oldest append waited in the write queue before its commit began")
                .publishPercentileHistogram()
                .register(registry));
        writesRejected = add(Counter.builder(WRITES_REJECTED)
                .description("Appends refused because the write queue was full")
                .register(registry));
        writesFailed = add(Counter.builder(WRITES_FAILED)
                .description("Appends that failed: commit error or timed out in the queue")
                .register(registry));
        callsRejected = add(Counter.builder(CALLS_REJECTED)
                .description("History calls refused because the read queue was full")
                .register(registry));
    }

    /**
     * Latency of {@link HistoryService#call} per operation. The operation name becomes a tag:
     * callers pass constants, never ids, so the number of series stays small.
     */
    Timer callLatency(String operation) {
        return callTimers.computeIfAbsent(operation, op -> add(Timer.builder(CALL_LATENCY)
                .description("History call, from submission to completion")
                .tag("operation", op)
                .serviceLevelObjectives(CALL_LATENCY_BUCKETS)
                .register(registry)));
    }

    /** Calls of one operation that timed out or failed in the store (not those refused). */
    Counter callsFailed(String operation) {
        return callFailures.computeIfAbsent(operation, op -> add(Counter.builder(CALLS_FAILED)
                .description("History calls answered with a failure: timed out or a store error")
                .tag("operation", op)
                .register(registry)));
    }

    void commitSucceeded(int messages, long nanos) {
        batchSize.record(messages);
        commitLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Failed attempts count in the batch sizes but not in the commit latency. */
    void commitFailed(int messages) {
        batchSize.record(messages);
        writesFailed.increment(messages);
    }

    private static double bytesOrNaN(Supplier<OptionalLong> fileBytes) {
        OptionalLong bytes = fileBytes.get();
        return bytes.isPresent() ? bytes.getAsLong() : Double.NaN;
    }

    /** Removes this service's meters, so that a later service on the same registry owns its own. */
    @Override
    public void close() {
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }

    private <M extends Meter> M add(M meter) {
        synchronized (meters) {
            meters.add(meter);
        }
        return meter;
    }
}
