package io.parley.storage;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupSyncTest {

    /** One force's span, by System.nanoTime(). */
    private record Span(long start, long end) {
    }

    @Test
    void concurrentCallersShareForcesAndEachReturnsAfterAForceThatBeganAfterItAsked() throws Exception {
        ConcurrentLinkedQueue<Span> forces = new ConcurrentLinkedQueue<>();
        GroupSync sync = new GroupSync(connection -> {
            long start = System.nanoTime();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // a force takes a while
            forces.add(new Span(start, System.nanoTime()));
        });
        int threads = 8;
        int callsEach = 40;
        ConcurrentLinkedQueue<Span> calls = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < callsEach; i++) {
                        long asked = System.nanoTime();
                        try {
                            sync.afterCommit(null);
                        } catch (SQLException e) {
                            throw new AssertionError(e);
                        }
                        calls.add(new Span(asked, System.nanoTime()));
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * callsEach, calls.size());
        for (Span call : calls) {
            assertTrue(forces.stream().anyMatch(f -> f.start() >= call.start() && f.end() <= call.end()),
                    "a call returned without a force that began after it asked");
        }
        assertTrue(forces.size() <= calls.size() / 2,
                forces.size() + " forces for " + calls.size() + " concurrent calls: not shared");
    }

    @Test
    void aLoneCallerForcesEachTime() throws SQLException {
        AtomicInteger forces = new AtomicInteger();
        GroupSync sync = new GroupSync(connection -> forces.incrementAndGet());
        for (int i = 0; i < 5; i++) {
            sync.afterCommit(null);
        }
        assertEquals(5, forces.get());
    }

    @Test
    void aFailedForceFailsTheCallerThatRanItAndTheOthersItCoveredForceAgain() throws Exception {
        CountDownLatch firstForceRunning = new CountDownLatch(1);
        CountDownLatch releaseFirstForce = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        GroupSync sync = new GroupSync(connection -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                firstForceRunning.countDown();
                awaitQuietly(releaseFirstForce);
            } else if (run == 2) {
                throw new SQLException("disk gone");
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> call(sync), pool);
            assertTrue(firstForceRunning.await(10, TimeUnit.SECONDS));
            // Two callers ask while the first force runs: the second force covers both, and fails.
            List<CompletableFuture<Void>> waiters = List.of(CompletableFuture.runAsync(() -> call(sync), pool),
                    CompletableFuture.runAsync(() -> call(sync), pool));
            Thread.sleep(200); // let both ask before the first force ends (later would test less, not fail)
            releaseFirstForce.countDown();
            first.get(10, TimeUnit.SECONDS);
            int failed = 0;
            for (CompletableFuture<Void> waiter : waiters) {
                try {
                    waiter.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertTrue(e.getCause().getCause() instanceof SQLException, e.toString());
                    failed++;
                }
            }
            assertEquals(1, failed, "only the caller that ran the failed force fails");
            assertEquals(3, runs.get(), "the other caller must force again, not trust the failed force");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void call(GroupSync sync) {
        try {
            sync.afterCommit(null);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
