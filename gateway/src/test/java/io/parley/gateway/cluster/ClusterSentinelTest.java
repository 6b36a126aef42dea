package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.TestSentinels;
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
 * Two nodes on Redis Sentinel (a primary, a replica, three sentinels): the primary dies
 * mid-traffic, the sentinels promote the replica, and the bus follows. Every acknowledged message
 * reaches the member on the other node once, in the chat's order; presence and routing are
 * rebuilt on the new primary (it may have missed the newest writes).
 */
class ClusterSentinelTest {

    @Test
    void aFailoverLosesNoAcknowledgedMessageAndKeepsTheOrder() throws Exception {
        try (TestPostgres postgres = TestPostgres.createSchema(); TestSentinels redis = TestSentinels.start();
             TestNode a = node(1, postgres, redis); TestNode b = node(2, postgres, redis)) {
            String chat = a.createChat("sn-sender", "group", "sn-reader");
            try (WsClient sender = a.connectActions("sn-sender"); WsClient reader = b.connectActions("sn-reader")) {
                List<Long> acked = new ArrayList<>();
                send(sender, chat, "before", acked);
                assertThat(nextPush(reader)).isEqualTo(acked.get(0));

                redis.killPrimary();
                // Sends go on during the failover: each is committed and acknowledged by node a.
                for (int i = 0; i < 40; i++) {
                    send(sender, chat, "during " + i, acked);
                    Thread.sleep(100);
                }
                // After it, the next messages carry the reader's node past any gap (filled from history).
                send(sender, chat, "after", acked);
                List<Long> pushed = new ArrayList<>(List.of(acked.get(0)));
                while (!pushed.contains(acked.get(acked.size() - 1))) {
                    pushed.add(nextPush(reader));
                }
                assertThat(pushed).as("every acknowledged message once, in order").containsExactlyElementsOf(acked);
            }
            assertThat(a.metric("parley_bus_failovers_total") + b.metric("parley_bus_failovers_total"))
                    .as("the nodes saw the primary change").isGreaterThanOrEqualTo(1);

            // Routing and presence rebuilt on the new primary: a fresh pair of sockets still chats across nodes.
            try (WsClient sender = a.connectActions("sn-sender"); WsClient reader = b.connectActions("sn-reader")) {
                List<Long> acked = new ArrayList<>();
                send(sender, chat, "on the new primary", acked);
                assertThat(nextPush(reader)).isEqualTo(acked.get(0));
            }
        }
    }

    private static TestNode node(int id, TestPostgres postgres, TestSentinels redis) {
        return TestNode.start(b -> b.set(NODE_ID, id).set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                .set(STORAGE_PASSWORD, postgres.password()).set(REDIS_URL, redis.url()));
    }

    private static void send(WsClient sender, String chat, String text, List<Long> acked) {
        sender.json(Map.of("type", "send_message", "chat_id", chat, "text", text));
        JsonNode reply = sender.await(m -> "send_message".equals(m.path("type").asText()));
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
        acked.add(reply.at("/data/message/id").asLong());
    }

    private static long nextPush(WsClient reader) {
        return reader.awaitWithin(m -> "new_message".equals(m.path("type").asText()), Duration.ofSeconds(30))
                .at("/data/message/id").asLong();
    }
}
