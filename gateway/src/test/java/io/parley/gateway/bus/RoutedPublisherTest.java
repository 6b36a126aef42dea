package io.parley.gateway.bus;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RoutedPublisher} against a real Redis: routing by the recipients' node sets, order, batching, bounds. */
class RoutedPublisherTest {
    private static TestRedis redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, byte[]> setup;
    private static StatefulRedisPubSubConnection<String, byte[]> listener;
    /** Frames as they arrived, per node channel (a publication may carry several). */
    private static final Map<String, BlockingQueue<String>> received = new ConcurrentHashMap<>();
    /** How many publications arrived per node channel. */
    private static final Map<String, AtomicInteger> publications = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
        client = RedisClient.create(redis.url());
        setup = client.connect(RedisLink.CODEC);
        listener = client.connectPubSub(RedisLink.CODEC);
        listener.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                publications.computeIfAbsent(channel, c -> new AtomicInteger()).incrementAndGet();
                FrameBatch.forEach(message, frame -> received.computeIfAbsent(channel, c -> new LinkedBlockingQueue<>())
                        .add(new String(frame.bytes(), frame.offset(), frame.length(), StandardCharsets.UTF_8)));
            }
        });
        listener.sync().subscribe(RedisKeys.nodeChannel(1), RedisKeys.nodeChannel(2), RedisKeys.nodeChannel(3));
        // alice is on nodes 1 (this one) and 2, bob on 2, carol on 3; dave is connected nowhere.
        setup.sync().sadd(RedisKeys.nodeUsers(1), bytes("alice"));
        setup.sync().sadd(RedisKeys.nodeUsers(2), bytes("alice"), bytes("bob"));
        setup.sync().sadd(RedisKeys.nodeUsers(3), bytes("carol"));
    }

    @AfterAll
    static void stop() {
        listener.close();
        setup.close();
        client.shutdown();
        redis.close();
    }

    @Test
    void publishesOnceToEachOtherNodeHostingARecipientInSubmissionOrder() throws Exception {
        ExecutorService flusher = Executors.newSingleThreadExecutor();
        try (StatefulRedisConnection<String, byte[]> own = client.connect(RedisLink.CODEC)) {
            RoutedPublisher publisher = publisher(own, flusher, 10_000);
            clearReceived();

            // alice and bob share node 2: one publish there, none to this node, none to node 3.
            assertThat(publisher.publish(List.of("alice", "bob"), frame("to-2")).get(5, TimeUnit.SECONDS))
                    .isEqualTo(1);
            assertThat(publisher.publish(List.of("bob", "carol"), frame("to-2-and-3")).get(5, TimeUnit.SECONDS))
                    .isEqualTo(2);
            assertThat(publisher.publish(List.of("dave"), frame("nowhere")).get(5, TimeUnit.SECONDS)).isZero();

            // Many at once from one thread: every one arrives, in order, whatever the batching.
            List<CompletableFuture<Long>> burst = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                burst.add(publisher.publish(List.of("carol"), frame("n" + i)));
            }
            for (CompletableFuture<Long> sent : burst) {
                assertThat(sent.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            }

            assertThat(drain(RedisKeys.nodeChannel(2), 2)).containsExactly("to-2", "to-2-and-3");
            List<String> atThree = drain(RedisKeys.nodeChannel(3), 1_001);
            assertThat(atThree.get(0)).isEqualTo("to-2-and-3");
            for (int i = 0; i < 1_000; i++) {
                assertThat(atThree.get(i + 1)).isEqualTo("n" + i);
            }
            Thread.sleep(200); // a stray publication would have arrived by now
            assertThat(received.getOrDefault(RedisKeys.nodeChannel(1), new LinkedBlockingQueue<>())).as("never to itself").isEmpty();
            assertThat(received.get(RedisKeys.nodeChannel(2))).as("nothing more on node 2").isEmpty();
            assertThat(received.get(RedisKeys.nodeChannel(3))).as("nothing more on node 3").isEmpty();
        } finally {
            flusher.shutdownNow();
        }
    }

    @Test
    void framesWaitingWhileACommandCanNotLeaveGoTogetherOnePublishPerNode() throws Exception {
        GatedExecutor sender = new GatedExecutor();
        try (StatefulRedisConnection<String, byte[]> own = client.connect(RedisLink.CODEC)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RoutedPublisher publisher = publisher(own, sender, 10_000, registry, () -> { });
            clearReceived();

            List<CompletableFuture<Long>> sent = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                sent.add(publisher.publish(i % 2 == 0 ? List.of("bob", "carol") : List.of("carol"), frame("m" + i)));
            }
            sender.open(); // 300 frames waiting: three commands of at most 128 frames

            for (int i = 0; i < 300; i++) {
                assertThat(sent.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i % 2 == 0 ? 2 : 1);
            }
            assertThat(drain(RedisKeys.nodeChannel(3), 300)).containsExactlyElementsOf(
                    IntStream.range(0, 300).mapToObj(i -> "m" + i).toList());
            assertThat(drain(RedisKeys.nodeChannel(2), 150)).containsExactlyElementsOf(
                    IntStream.range(0, 150).mapToObj(i -> "m" + 2 * i).toList());
            assertThat(publications.get(RedisKeys.nodeChannel(3)).get()).isEqualTo(3);
            assertThat(publications.get(RedisKeys.nodeChannel(2)).get()).isEqualTo(3);
            DistributionSummary batches = registry.find("parley.bus.publish.batch").summary();
            assertThat(batches.count()).isEqualTo(3);
            assertThat(batches.max()).isEqualTo(RoutedPublisher.MAX_BATCH_FRAMES);
        } finally {
            sender.shutdown();
        }
    }

    @Test
    void aFullBacklogRefusesAtOnceAndWhatWasAcceptedStillGoesOut() throws Exception {
        GatedExecutor sender = new GatedExecutor();
        try (StatefulRedisConnection<String, byte[]> own = client.connect(RedisLink.CODEC)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            CountDownLatch drained = new CountDownLatch(1);
            RoutedPublisher publisher = publisher(own, sender, 20, registry, drained::countDown);
            clearReceived();

            List<CompletableFuture<Long>> accepted = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                accepted.add(publisher.publish(List.of("carol"), frame("kept " + i)));
            }
            assertThat(registry.get("parley.bus.publish.backlog").gauge().value()).isEqualTo(20);
            assertThat(publisher.room()).isZero();
            CompletableFuture<Long> refused = publisher.publish(List.of("carol"), frame("refused"));
            assertThat(refused).isCompletedExceptionally();
            assertThatThrownBy(refused::join).hasCauseInstanceOf(RoutedPublisher.BacklogFull.class);

            assertThat(drained.getCount()).as("told only once the backlog is empty").isEqualTo(1);
            sender.open();
            for (CompletableFuture<Long> sent : accepted) {
                assertThat(sent.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            }
            assertThat(drained.await(5, TimeUnit.SECONDS)).as("the refusing side is told there is room").isTrue();
            assertThat(publisher.room()).isEqualTo(20);
            assertThat(drain(RedisKeys.nodeChannel(3), 20)).hasSize(20).doesNotContain("refused");
            assertThat(registry.get("parley.bus.publish.backlog").gauge().value()).isZero();
            assertThat(publisher.publish(List.of("carol"), frame("room again")).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            sender.shutdown();
        }
    }

    @Test
    void aChatWithThousandsOfRecipientsIsRoutedInSlices() throws Exception {
        ExecutorService flusher = Executors.newSingleThreadExecutor();
        try (StatefulRedisConnection<String, byte[]> own = client.connect(RedisLink.CODEC)) {
            RoutedPublisher publisher = publisher(own, flusher, 10_000);
            clearReceived();
            // 9,000 members connected nowhere, and carol (node 3) last: past Lua's unpack limit (8,000) at once.
            List<String> members = new ArrayList<>(IntStream.range(0, 9_000).mapToObj(i -> "offline-" + i).toList());
            members.add("carol");

            assertThat(publisher.publish(members, frame("big")).get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(drain(RedisKeys.nodeChannel(3), 1)).containsExactly("big");
        } finally {
            flusher.shutdownNow();
        }
    }

    private static RoutedPublisher publisher(StatefulRedisConnection<String, byte[]> own, Executor sender, int backlog) {
        return publisher(own, sender, backlog, new SimpleMeterRegistry(), () -> { });
    }

    private static RoutedPublisher publisher(StatefulRedisConnection<String, byte[]> own, Executor sender, int backlog,
                                             SimpleMeterRegistry registry, Runnable whenDrained) {
        return new RoutedPublisher(own, own.async(), false, sender, () -> List.of(2, 3), backlog, new BusMetrics(registry),
                whenDrained);
    }

    private static void clearReceived() {
        received.clear();
        publications.clear();
    }

    /** Holds the tasks it is given until opened, then runs them (and later ones) on one thread. */
    private static final class GatedExecutor implements Executor {
        private final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final List<Runnable> held = new ArrayList<>();
        private boolean open;

        @Override
        public synchronized void execute(Runnable task) {
            if (open) {
                thread.execute(task);
            } else {
                held.add(task);
            }
        }

        synchronized void open() {
            open = true;
            held.forEach(thread::execute);
            held.clear();
        }

        void shutdown() {
            thread.shutdownNow();
        }
    }

    private static List<String> drain(String channel, int count) throws InterruptedException {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            String next = received.computeIfAbsent(channel, c -> new LinkedBlockingQueue<>())
                    .poll(100, TimeUnit.MILLISECONDS);
            if (next != null) {
                out.add(next);
            }
        }
        return out;
    }

    /** What {@link BusCodec#encodePrefixed} hands the publisher: the frame behind its length. */
    private static byte[] frame(String text) {
        return PrefixedFrames.of(bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
