package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One writer of {@link HistoryService}'s write path: a bounded queue and one thread that commits
 * what has queued up as one transaction (group commit) and then completes the futures in batch
 * order. The service runs a few of these and sends every chat to the same one, so within a chat
 * completion order equals commit order equals sequence order.
 *
 * <p>Every write is answered within the operation timeout: the service's watchdog calls {@link
 * #failOverdue()}, which fails writes that waited too long in the queue or in a commit that hangs
 * (a commit that succeeds after that is not acknowledged: the message is in history but nobody
 * was told or sent it, as after any failed reply).
 */
final class GroupCommitWriter {

    static final String THREAD_NAME = "parley-history-writer-";

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** How often an idle writer looks whether it should stop. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final HistoryStore store;
    private final BlockingQueue<PendingWrite> queue;
    private final int capacity;
    private final int maxBatchSize;
    private final long lingerNanos;
    private final long timeoutNanos;
    private final HistoryMetrics metrics;
    private final Thread thread;
    private final String name;
    /** The batch being committed now, for the watchdog; null between commits. */
    private volatile List<PendingWrite> inFlight;
    /** Writes in the batch committed last; the writer thread's own. */
    private int lastBatchSize;

    // Submitters hold the read lock while they check `closing` and enqueue; close() takes the
    // write lock to set it. After that nothing can enter the queue, so the writer may stop as
    // soon as it has drained it, and no future is left behind uncompleted.
    private final ReadWriteLock admission = new ReentrantReadWriteLock();
    private volatile boolean closing;

    /**
     * @param index    this writer's number, from 1 (thread name, messages)
     * @param capacity this writer's share of the write queue capacity
     */
    GroupCommitWriter(HistoryStore store, HistoryOptions options, HistoryMetrics metrics, int index, int capacity) {
        this.store = store;
        this.capacity = capacity;
        this.name = "writer " + index + " of " + options.writerThreads();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatchSize = options.maxBatchSize();
        this.lingerNanos = TimeUnit.MICROSECONDS.toNanos(options.lingerMicros());
        this.timeoutNanos = options.operationTimeout().toNanos();
        this.metrics = metrics;
        this.thread = new Thread(this::run, THREAD_NAME + index);
        this.thread.setDaemon(true); // nothing is acknowledged before commit, so exit loses nothing acked
    }

    void start() {
        thread.start();
    }

    int depth() {
        return queue.size();
    }

    int capacity() {
        return capacity;
    }

    /** Never blocks: a full queue or a closing writer gives an already failed future. */
    CompletableFuture<Message> submit(NewMessage message) {
        PendingWrite write = new PendingWrite(message, System.nanoTime(), new CompletableFuture<>());
        admission.readLock().lock();
        try {
            if (closing) {
                return CompletableFuture.failedFuture(new StoreException("history is shutting down: append refused"));
            }
            if (!queue.offer(write)) {
                metrics.writesRejected.increment();
                return CompletableFuture.failedFuture(new StoreOverloadedException(
                        "history write queue full: " + queue.size() + " queued of capacity " + capacity
                                + " (" + name + ")"));
            }
        } finally {
            admission.readLock().unlock();
        }
        return write.future;
    }

    /** From now on every submit fails with "shutting down"; what is queued still gets committed. */
    void stopAccepting() {
        admission.writeLock().lock();
        try {
            closing = true;
        } finally {
            admission.writeLock().unlock();
        }
    }

    /**
     * Waits at most {@code wait} for the thread to commit everything queued and stop (after
     * {@link #stopAccepting()}). Draining is bounded by itself: items older than the operation
     * timeout are failed without being written.
     *
     * @return true if the writer finished within the wait
     */
    boolean awaitDrained(Duration wait) throws InterruptedException {
        thread.join(Math.max(1, wait.toMillis()));
        if (thread.isAlive()) {
            // Not interrupted: an interrupt inside JDBC (H2 above all) can break the store itself.
            log.warn("history writer still committing after {} ms ({} queued); closing the store under it",
                    wait.toMillis(), queue.size());
            return false;
        }
        return true;
    }

    private void run() {
        List<PendingWrite> batch = new ArrayList<>(maxBatchSize);
        try {
            while (true) {
                PendingWrite first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return; // admission is closed and the queue is empty: all done
                    }
                    continue;
                }
                batch.add(first);
                fill(batch);
                commit(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Empty after a normal stop; after an interrupt, no future is left hanging.
            failAll(batch, new StoreException("history writer stopped"));
            List<PendingWrite> rest = new ArrayList<>();
            queue.drainTo(rest);
            failAll(rest, new StoreException("history writer stopped"));
        }
    }

    /**
     * Takes what is queued; if others are writing too (more than one write queued, now or for the
     * last batch), also sleeps through the linger time and takes what came meanwhile, up to the
     * batch size. Sleeping rather than waiting on the queue matters: a submit wakes the writer only
     * while it waits on the queue, so the writer wakes once per batch instead of once per message
     * (each wake-up is a context switch that cost more than the message's own work). A lone write
     * is committed at once, as PostgreSQL's {@code commit_delay} waits only while other
     * transactions are active: lingering would add to every message's latency at low rates and
     * gather nothing.
     */
    private void fill(List<PendingWrite> batch) {
        queue.drainTo(batch, maxBatchSize - batch.size());
        boolean othersWriting = batch.size() > 1 || lastBatchSize > 1;
        if (othersWriting && batch.size() < maxBatchSize && lingerNanos > 0 && !closing) { // closing: nothing new can come
            LockSupport.parkNanos(lingerNanos);
            queue.drainTo(batch, maxBatchSize - batch.size());
        }
        lastBatchSize = batch.size();
    }

    /**
     * Fails (without removing them) the queued and in-flight writes older than the operation
     * timeout, so no sender waits longer than that even when a commit hangs. Called by the
     * service's watchdog thread a few times per second; cheap, the queue is in arrival order.
     */
    void failOverdue() {
        long now = System.nanoTime();
        List<PendingWrite> batch = inFlight;
        if (batch != null) {
            for (PendingWrite write : batch) {
                if (now - write.enqueuedNanos > timeoutNanos) {
                    failCounted(write, overdue("history commit did not finish: waited ", now - write.enqueuedNanos,
                            batch.size()));
                }
            }
        }
        for (PendingWrite write : queue) { // weakly consistent iterator: safe alongside the writer
            if (now - write.enqueuedNanos <= timeoutNanos) {
                break; // the rest arrived later
            }
            failCounted(write, overdue("history write timed out: waited ", now - write.enqueuedNanos, queue.size()));
        }
    }

    private void failCounted(PendingWrite write, StoreException failure) {
        if (write.future.completeExceptionally(failure)) { // false: the writer completed it meanwhile
            metrics.writesFailed.increment();
        }
    }

    private StoreException overdue(String what, long waitedNanos, int count) {
        return new StoreException(what + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms (limit "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; " + name + ", " + queue.size()
                + " queued, batch of " + count + ")");
    }

    private void commit(List<PendingWrite> batch) {
        List<PendingWrite> live = failExpired(batch);
        if (live.isEmpty()) {
            return;
        }
        inFlight = live;
        try {
            commitLive(live);
        } finally {
            inFlight = null;
        }
    }

    private void commitLive(List<PendingWrite> live) {
        List<NewMessage> messages = new ArrayList<>(live.size());
        for (PendingWrite write : live) {
            messages.add(write.message);
        }
        long start = System.nanoTime();
        metrics.batchWait.record(start - live.get(0).enqueuedNanos, TimeUnit.NANOSECONDS); // the oldest: queue order
        List<Message> committed;
        try {
            committed = store.append(messages);
            if (committed.size() != messages.size()) {
                throw new IllegalStateException("store returned " + committed.size() + " messages for a batch of "
                        + messages.size());
            }
        } catch (RuntimeException | Error e) {
            // Nothing of this batch is acknowledged; the writer goes on with the next one, so a
            // database outage costs each batch one bounded attempt (pool connection timeout).
            metrics.commitFailed(live.size());
            StoreException failure = e instanceof StoreException se
                    ? se
                    : new StoreException("commit of a batch of " + live.size() + " message(s) failed", e);
            log.warn("history commit of {} message(s) failed: {}", live.size(), e.toString());
            failAll(live, failure);
            return;
        }
        metrics.commitSucceeded(live.size(), System.nanoTime() - start);
        // Batch order: the order callers see completions is the order of the sequences.
        for (int i = 0; i < live.size(); i++) {
            live.get(i).future.complete(committed.get(i));
        }
    }

    /** Fails the writes that waited longer than the operation timeout; returns the others. */
    private List<PendingWrite> failExpired(List<PendingWrite> batch) {
        long now = System.nanoTime();
        List<PendingWrite> live = new ArrayList<>(batch.size());
        int expired = 0;
        for (PendingWrite write : batch) {
            long waited = now - write.enqueuedNanos;
            if (write.future.isDone()) {
                continue; // already failed by the watchdog (and counted there)
            }
            if (waited > timeoutNanos) {
                expired++;
                write.future.completeExceptionally(new StoreException("history write timed out: waited "
                        + TimeUnit.NANOSECONDS.toMillis(waited) + " ms in the write queue (limit "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms, " + name + ", " + queue.size()
                        + " still queued)"));
            } else {
                live.add(write);
            }
        }
        if (expired > 0) {
            metrics.writesFailed.increment(expired);
        }
        return live;
    }

    private void failAll(List<PendingWrite> writes, StoreException failure) {
        for (PendingWrite write : writes) {
            write.future.completeExceptionally(failure);
        }
    }

    private record PendingWrite(NewMessage message, long enqueuedNanos, CompletableFuture<Message> future) {
    }
}
