package io.parley.gateway.bus;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.parley.gateway.presence.RedisUserRegistry;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RoutedPublisher} against a real Redis: routing by the recipients' node sets, order, batching. */
class RoutedPublisherTest {
    private static final int SELF = 1;

    private static TestRedis redis;
    private static RedisClient client;
    private static StatefulRedisConnection<String, byte[]> setup;
    private static StatefulRedisPubSubConnection<String, byte[]> listener;
    private static final Map<String, BlockingQueue<String>> received = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
        client = RedisClient.create(redis.url());
        setup = client.connect(RedisLink.CODEC);
        listener = client.connectPubSub(RedisLink.CODEC);
        listener.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                received.computeIfAbsent(channel, c -> new LinkedBlockingQueue<>())
                        .add(new String(message, StandardCharsets.UTF_8));
            }
        });
        listener.sync().subscribe(RedisBus.nodeChannel(1), RedisBus.nodeChannel(2), RedisBus.nodeChannel(3));
        // alice is on nodes 1 (this one) and 2, bob on 2, carol on 3; dave is connected nowhere.
        setup.sync().sadd(RedisUserRegistry.userNodes("alice"), bytes("1"), bytes("2"));
        setup.sync().sadd(RedisUserRegistry.userNodes("bob"), bytes("2"));
        setup.sync().sadd(RedisUserRegistry.userNodes("carol"), bytes("3"));
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
            RoutedPublisher publisher = new RoutedPublisher(own, flusher, SELF, "parley:node:");
            received.clear();

            // alice and bob share node 2: one publish there, none to this node, none to node 3.
            assertThat(publisher.publish(List.of("alice", "bob"), bytes("to-2")).get(5, TimeUnit.SECONDS))
                    .isEqualTo(1);
            assertThat(publisher.publish(List.of("bob", "carol"), bytes("to-2-and-3")).get(5, TimeUnit.SECONDS))
                    .isEqualTo(2);
            assertThat(publisher.publish(List.of("dave"), bytes("nowhere")).get(5, TimeUnit.SECONDS)).isZero();

            // Many at once from one thread: every one arrives, in order, whatever the batching.
            List<CompletableFuture<Long>> burst = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                burst.add(publisher.publish(List.of("carol"), bytes("n" + i)));
            }
            for (CompletableFuture<Long> sent : burst) {
                assertThat(sent.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            }

            assertThat(drain("parley:node:2", 2)).containsExactly("to-2", "to-2-and-3");
            List<String> atThree = drain("parley:node:3", 1_001);
            assertThat(atThree.get(0)).isEqualTo("to-2-and-3");
            for (int i = 0; i < 1_000; i++) {
                assertThat(atThree.get(i + 1)).isEqualTo("n" + i);
            }
            Thread.sleep(200); // a stray publication would have arrived by now
            assertThat(received.getOrDefault("parley:node:1", new LinkedBlockingQueue<>())).as("never to itself").isEmpty();
            assertThat(received.get("parley:node:2")).as("nothing more on node 2").isEmpty();
            assertThat(received.get("parley:node:3")).as("nothing more on node 3").isEmpty();
        } finally {
            flusher.shutdownNow();
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

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
