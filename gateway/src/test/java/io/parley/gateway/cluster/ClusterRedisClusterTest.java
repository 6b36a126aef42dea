package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.bus.RedisKeys;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.TestRedisCluster;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes on Redis Cluster (three masters, three replicas; sharded pub/sub): traffic over many
 * chats, each with its sender and reader on different nodes, while the master owning one node's
 * channel dies and its replica takes over. Every acknowledged message reaches its reader once, in
 * the chat's order, and the nodes route on the new master afterwards.
 */
class ClusterRedisClusterTest {
    private static final int CHATS = 24;

    @Test
    void aMasterFailoverLosesNoAcknowledgedMessageAndKeepsEveryChatsOrder() throws Exception {
        try (TestRedisCluster redis = TestRedisCluster.start(); TestPostgres postgres = TestPostgres.createSchema();
             TestNode a = node(1, postgres, redis); TestNode b = node(2, postgres, redis); TestNode c = node(3, postgres, redis)) {
            List<TestNode> nodes = List.of(a, b, c);
            List<String> chats = new ArrayList<>();
            List<WsClient> senders = new ArrayList<>();
            List<WsClient> readers = new ArrayList<>();
            List<List<Long>> acked = new ArrayList<>();
            try {
                for (int i = 0; i < CHATS; i++) {
                    String sender = "rc-s" + i, reader = "rc-r" + i;
                    chats.add(a.createChat(sender, "group", reader));
                    senders.add(nodes.get(i % 3).connectActions(sender));
                    readers.add(nodes.get((i + 1) % 3).connectActions(reader));
                    acked.add(new ArrayList<>());
                }
                sendToEveryChat(chats, senders, acked, "before");
                for (int i = 0; i < CHATS; i++) {
                    assertThat(nextPush(readers.get(i))).isEqualTo(acked.get(i).get(0));
                }

                // The master that serves node b's channel (and its user set) dies mid-traffic.
                int doomed = redis.masterOf(RedisKeys.nodeChannel(2));
                String doomedSeries = "parley_bus_redis_connections{endpoint=\"127.0.0.1:" + doomed + "\"";
                assertThat(b.metric(doomedSeries)).as("b's connections to that master").isPositive();
                redis.killMaster(doomed);
                for (int round = 0; round < 30; round++) {
                    sendToEveryChat(chats, senders, acked, "during " + round);
                    Thread.sleep(100);
                }
                redis.awaitHealthy(Duration.ofSeconds(30));
                Thread.sleep(1_500); // every node has followed the new topology
                sendToEveryChat(chats, senders, acked, "after");

                for (int i = 0; i < CHATS; i++) {
                    List<Long> expected = acked.get(i);
                    List<Long> pushed = new ArrayList<>(List.of(expected.get(0)));
                    while (!pushed.contains(expected.get(expected.size() - 1))) {
                        pushed.add(nextPush(readers.get(i)));
                    }
                    assertThat(pushed).as("chat %d: every acknowledged message once, in order", i)
                            .containsExactlyElementsOf(expected);
                }
                assertThat(a.metric("parley_bus_failovers_total") + b.metric("parley_bus_failovers_total")
                        + c.metric("parley_bus_failovers_total")).as("the nodes saw the masters change").isPositive();
                assertThat(b.metric("parley_bus_resubscriptions_total")).as("b's subscription moved to the new master")
                        .isPositive();
                assertThat(b.metric(doomedSeries)).as("no connection left to the dead master").isZero();
                int successor = redis.masterOf(RedisKeys.nodeChannel(2));
                assertThat(b.metric("parley_bus_redis_connections{endpoint=\"127.0.0.1:" + successor + "\""))
                        .as("b's connections to the new master").isPositive();
            } finally {
                senders.forEach(WsClient::close);
                readers.forEach(WsClient::close);
            }
        }
    }

    private static void sendToEveryChat(List<String> chats, List<WsClient> senders, List<List<Long>> acked, String text) {
        for (int i = 0; i < chats.size(); i++) {
            senders.get(i).json(Map.of("type", "send_message", "chat_id", chats.get(i), "text", text));
        }
        for (int i = 0; i < chats.size(); i++) {
            JsonNode reply = senders.get(i).await(m -> "send_message".equals(m.path("type").asText()));
            assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
            acked.get(i).add(reply.at("/data/message/id").asLong());
        }
    }

    private static TestNode node(int id, TestPostgres postgres, TestRedisCluster redis) {
        return TestNode.start(b -> b.set(NODE_ID, id).set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                .set(STORAGE_PASSWORD, postgres.password()).set(REDIS_URL, redis.url()));
    }

    private static long nextPush(WsClient reader) {
        return reader.awaitWithin(m -> "new_message".equals(m.path("type").asText()), Duration.ofSeconds(30))
                .at("/data/message/id").asLong();
    }
}
