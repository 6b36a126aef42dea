package io.parley.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of {@link HistoryService}: queue capacities, group-commit batching, read
 * threads and the deadline of every queued operation. Build with {@link #builder()}; {@link
 * Builder#build()} rejects a bad value with {@link IllegalArgumentException} naming it (a bad value
 * is never replaced silently).
 */
public final class HistoryOptions {

    /** Appends waiting for the writer; one more is rejected with 503. */
    public static final int DEFAULT_WRITE_QUEUE_CAPACITY = 10_000;
    /** Messages per transaction; matches the 500-row INSERT of the performance targets. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 500;
    /** A writer that finds others writing waits this long for more, to commit them together. */
    public static final long DEFAULT_LINGER_MICROS = 1_000;
    /**
     * Group-commit writers, each with its own connection; a chat always goes to the same writer
     * (by hash), so per-chat order holds. Two let one batch build while the other waits for its
     * commit to reach disk.
     */
    public static final int DEFAULT_WRITER_THREADS = 2;
    /** Threads running {@link HistoryService#call} operations (reads and small writes). */
    public static final int DEFAULT_READ_THREADS = 4;
    /** Calls waiting for a read thread; one more is rejected with 503. */
    public static final int DEFAULT_READ_QUEUE_CAPACITY = 1_000;
    /** Deadline of any queued operation, from submission. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(5);

    // Upper bounds: "bounded" must mean something (no capacity of Integer.MAX_VALUE).
    public static final int MAX_QUEUE_CAPACITY = 1_000_000;
    public static final int MAX_BATCH_SIZE = 10_000;
    public static final long MAX_LINGER_MICROS = 1_000_000;
    public static final int MAX_READ_THREADS = 256;
    public static final int MAX_WRITER_THREADS = 16;
    public static final Duration MAX_OPERATION_TIMEOUT = Duration.ofMinutes(10);

    private final int writeQueueCapacity;
    private final int maxBatchSize;
    private final long lingerMicros;
    private final int writerThreads;
    private final int readThreads;
    private final int readQueueCapacity;
    private final Duration operationTimeout;

    private HistoryOptions(Builder b) {
        this.writeQueueCapacity = b.writeQueueCapacity;
        this.maxBatchSize = b.maxBatchSize;
        this.lingerMicros = b.lingerMicros;
        this.writerThreads = b.writerThreads;
        this.readThreads = b.readThreads;
        this.readQueueCapacity = b.readQueueCapacity;
        this.operationTimeout = b.operationTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static HistoryOptions defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        return new Builder()
                .writeQueueCapacity(writeQueueCapacity)
                .maxBatchSize(maxBatchSize)
                .lingerMicros(lingerMicros)
                .writerThreads(writerThreads)
                .readThreads(readThreads)
                .readQueueCapacity(readQueueCapacity)
                .operationTimeout(operationTimeout);
    }

    public int writeQueueCapacity() {
        return writeQueueCapacity;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public long lingerMicros() {
        return lingerMicros;
    }

    public int writerThreads() {
        return writerThreads;
    }

    public int readThreads() {
        return readThreads;
    }

    public int readQueueCapacity() {
        return readQueueCapacity;
    }

    public Duration operationTimeout() {
        return operationTimeout;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistoryOptions other
                && writeQueueCapacity == other.writeQueueCapacity
                && maxBatchSize == other.maxBatchSize
                && lingerMicros == other.lingerMicros
                && writerThreads == other.writerThreads
                && readThreads == other.readThreads
                && readQueueCapacity == other.readQueueCapacity
                && operationTimeout.equals(other.operationTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(writeQueueCapacity, maxBatchSize, lingerMicros, writerThreads, readThreads, readQueueCapacity,
                operationTimeout);
    }

    /** One line with every effective value, for the start-up log. */
    @Override
    public String toString() {
        return "HistoryOptions{writeQueueCapacity=" + writeQueueCapacity
                + ", maxBatchSize=" + maxBatchSize
                + ", lingerMicros=" + lingerMicros
                + ", writerThreads=" + writerThreads
                + ", readThreads=" + readThreads
                + ", readQueueCapacity=" + readQueueCapacity
                + ", operationTimeout=" + operationTimeout.toMillis() + "ms}";
    }

    /** Mutable builder, starting from the defaults; validation happens in {@link #build()}. */
    public static final class Builder {
        private int writeQueueCapacity = DEFAULT_WRITE_QUEUE_CAPACITY;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private long lingerMicros = DEFAULT_LINGER_MICROS;
        private int writerThreads = DEFAULT_WRITER_THREADS;
        private int readThreads = DEFAULT_READ_THREADS;
        private int readQueueCapacity = DEFAULT_READ_QUEUE_CAPACITY;
        private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;

        private Builder() {
        }

        public Builder writeQueueCapacity(int writeQueueCapacity) {
            this.writeQueueCapacity = writeQueueCapacity;
            return this;
        }

        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder lingerMicros(long lingerMicros) {
            this.lingerMicros = lingerMicros;
            return this;
        }

        public Builder writerThreads(int writerThreads) {
            this.writerThreads = writerThreads;
            return this;
        }

        public Builder readThreads(int readThreads) {
            this.readThreads = readThreads;
            return this;
        }

        public Builder readQueueCapacity(int readQueueCapacity) {
            this.readQueueCapacity = readQueueCapacity;
            return this;
        }

        public Builder operationTimeout(Duration operationTimeout) {
            this.operationTimeout = operationTimeout;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value out of range */
        public HistoryOptions build() {
            check("writeQueueCapacity", writeQueueCapacity, 1, MAX_QUEUE_CAPACITY);
            check("maxBatchSize", maxBatchSize, 1, MAX_BATCH_SIZE);
            check("lingerMicros", lingerMicros, 0, MAX_LINGER_MICROS);
            check("writerThreads", writerThreads, 1, MAX_WRITER_THREADS);
            check("readThreads", readThreads, 1, MAX_READ_THREADS);
            check("readQueueCapacity", readQueueCapacity, 1, MAX_QUEUE_CAPACITY);
            if (operationTimeout == null || operationTimeout.isNegative() || operationTimeout.isZero()
                    || operationTimeout.compareTo(MAX_OPERATION_TIMEOUT) > 0) {
                throw new IllegalArgumentException("operationTimeout must be in (0, " + MAX_OPERATION_TIMEOUT
                        + "], got " + operationTimeout);
            }
            return new HistoryOptions(this);
        }

        private static void check(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(
                        name + " must be in [" + min + ", " + max + "], got " + value);
            }
        }
    }
}
