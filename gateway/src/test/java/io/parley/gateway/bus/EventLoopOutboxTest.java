package io.parley.gateway.bus;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.parley.gateway.session.FlushBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The order an event loop runs deliveries in is the order they were handed in, from any thread. */
class EventLoopOutboxTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final EventLoopOutbox outbox = new EventLoopOutbox(loop, new FlushBatch());
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void tasksHandedInFromSeveralThreadsRunInTheOrderHandedIn() throws Exception {
        int perThread = 2_000;
        Thread[] threads = new Thread[3];
        Object turn = new Object();
        // The threads take turns (one lock), so the order handed in is known: the order of `handed`.
        List<String> handed = new ArrayList<>();
        for (int t = 0; t < threads.length; t++) {
            String name = "t" + t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    synchronized (turn) {
                        String task = name + "#" + i;
                        handed.add(task);
                        outbox.submit(() -> ran.add(task));
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        awaitRan(handed.size());
        assertThat(ran).containsExactlyElementsOf(handed);
    }

    @Test
    void aTaskHandedInOnTheLoopRunsAfterTheOnesQueuedBeforeIt() throws Exception {
        CountDownLatch firstHandedIn = new CountDownLatch(1);
        loop.execute(() -> { // busy on the loop while another thread hands in "first"
            await(firstHandedIn);
            outbox.submit(() -> ran.add("second, from the loop"));
            ran.add("the loop's own task ends");
        });
        outbox.submit(() -> ran.add("first, from another thread"));
        firstHandedIn.countDown();

        awaitRan(3);
        assertThat(ran).containsExactly("the loop's own task ends", "first, from another thread",
                "second, from the loop");
    }

    private void awaitRan(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ran.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
