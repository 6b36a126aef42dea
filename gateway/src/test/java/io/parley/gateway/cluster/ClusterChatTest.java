package io.parley.gateway.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.gateway.bus.RedisKeys;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.parley.gateway.cluster.ClusterFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes, one PostgreSQL schema, one Redis: clients spread over the nodes chat; every client
 * sees every message exactly once and in the one order history has.
 */
class ClusterChatTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(3);

    /**
     * The client lost its acknowledgement on one node and sends again through another: the retry
     * is answered with the first message, which the chat holds and its members get once.
     */
    @Test
    void aSendRetriedThroughAnotherNodeIsStoredAndDeliveredOnce() {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        String chat = a.createChat("retry-sender", "group", "retry-listener");
        Map<String, Object> send = Map.of("type", "new_message", "content", Map.of("chat_type", "project",
                "chat_id", chat, "message", "only once", "client_message_id", "device-7:42"));
        try (WsClient listener = c.connectTyped("retry-listener")) {
            long first;
            try (WsClient sender = a.connectTyped("retry-sender")) {
                sender.json(send);
                first = sender.awaitType("new_message").at("/content/message_id").asLong();
            }
            try (WsClient sender = b.connectTyped("retry-sender")) {
                sender.json(send);
                assertThat(sender.awaitType("new_message").at("/content/message_id").asLong()).isEqualTo(first);
            }
            assertThat(listener.awaitType("new_message").at("/content/message_id").asLong()).isEqualTo(first);
            assertThat(listener.receivesNothing(m -> "new_message".equals(m.path("type").asText()),
                    Duration.ofMillis(300))).as("delivered once").isTrue();
        }
    }

    @Test
    void conversationWithStaffOnEveryNodeReachesEveryoneOnceInHistoryOrder() {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        long app = newApplication();
        try (WsClient customer = customer(a, "101"); WsClient customerPhone = customer(c, "101");
             WsClient agentB = staff(b, "201"); WsClient agentC = staff(c, "202")) {
            String channel = openConversation(customer, "101", app);
            history(agentB, "201", channel); // staff join by opening the conversation
            history(agentC, "202", channel);

            List<Long> sentByCustomer = new ArrayList<>(), sentByB = new ArrayList<>(), sentByC = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                send(customer, "101", channel, "customer " + round);
                sentByCustomer.add(awaitSent(customer));
                send(agentB, "201", channel, "agent b " + round);
                sentByB.add(awaitSent(agentB));
                send(agentC, "202", channel, "agent c " + round);
                sentByC.add(awaitSent(agentC));
            }
            List<Long> order = history(customer, "101", channel);
            assertThat(order).hasSize(12);

            // Pushes: every message but the connection's own sends, in history order, once.
            assertThat(awaitPushes(customer, channel, 8)).containsExactlyElementsOf(without(order, sentByCustomer));
            assertThat(awaitPushes(agentB, channel, 8)).containsExactlyElementsOf(without(order, sentByB));
            assertThat(awaitPushes(agentC, channel, 8)).containsExactlyElementsOf(without(order, sentByC));
            // The customer's other device (on another node) gets the customer's own messages too.
            assertThat(awaitPushes(customerPhone, channel, 12)).containsExactlyElementsOf(order);
            for (WsClient client : List.of(customer, agentB, agentC, customerPhone)) {
                assertThat(client.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                        Duration.ofMillis(200))).as("no duplicate pushes").isTrue();
            }
        }
    }

    @Test
    void concurrentSendersOnThreeNodesGiveEveryReaderOneOrder() {
        int perSender = 40;
        long app = newApplication();
        try (WsClient customer = customer(cluster.node(0), "111"); WsClient agent1 = staff(cluster.node(1), "211");
             WsClient agent2 = staff(cluster.node(2), "212"); WsClient reader0 = staff(cluster.node(0), "220");
             WsClient reader1 = staff(cluster.node(1), "221"); WsClient reader2 = staff(cluster.node(2), "222")) {
            String channel = openConversation(customer, "111", app);
            for (var joiner : List.of(new Object[]{agent1, "211"}, new Object[]{agent2, "212"},
                    new Object[]{reader0, "220"}, new Object[]{reader1, "221"}, new Object[]{reader2, "222"})) {
                history((WsClient) joiner[0], (String) joiner[1], channel);
            }
            // Three senders on three nodes at once, each with many requests in flight.
            CompletableFuture<?>[] senders = {
                    CompletableFuture.runAsync(() -> burst(customer, "111", channel, perSender)),
                    CompletableFuture.runAsync(() -> burst(agent1, "211", channel, perSender)),
                    CompletableFuture.runAsync(() -> burst(agent2, "212", channel, perSender))};
            CompletableFuture.allOf(senders).orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();

            int total = 3 * perSender;
            List<Long> seen0 = awaitPushes(reader0, channel, total);
            List<Long> seen1 = awaitPushes(reader1, channel, total);
            List<Long> seen2 = awaitPushes(reader2, channel, total);
            List<Long> order = history(reader0, "220", channel);
            assertThat(order).hasSize(total).doesNotHaveDuplicates();
            assertThat(seen0).containsExactlyElementsOf(order);
            assertThat(seen1).containsExactlyElementsOf(order);
            assertThat(seen2).containsExactlyElementsOf(order);
        }
    }

    @Test
    void presenceIsClusterWide() {
        TestNode a = cluster.node(0), b = cluster.node(2);
        assertThat(a.server().onlineUsers().isOnline("301").join()).isFalse();
        WsClient phone = customer(b, "301");
        assertThat(eventually(() -> a.server().onlineUsers().isOnline("301").join())).isTrue();
        WsClient laptop = customer(a, "301");
        // The upgrade is answered before node a has registered the user in Redis; once it has, the
        // user is hosted by both nodes, and closing one connection leaves them online.
        assertThat(eventually(() -> hostingNodes("301") == 2)).as("registered on both nodes").isTrue();
        phone.close();
        assertThat(b.server().onlineUsers().isOnline("301").join()).as("still connected on another node").isTrue();
        laptop.close();
        assertThat(eventually(() -> !b.server().onlineUsers().isOnline("301").join())).isTrue();
    }

    private static long hostingNodes(String userId) {
        try (RedisClient client = RedisClient.create(cluster.redis.url());
             StatefulRedisConnection<String, String> redis = client.connect()) {
            return redis.sync().scard(RedisKeys.userNodes(userId));
        }
    }

    private static void burst(WsClient client, String userId, String channel, int count) {
        for (int i = 0; i < count; i++) {
            send(client, userId, channel, userId + " #" + i);
        }
        for (int i = 0; i < count; i++) {
            awaitSent(client);
        }
    }

    private static List<Long> without(List<Long> order, List<Long> own) {
        return order.stream().filter(id -> !own.contains(id)).toList();
    }

    /** Polls a condition (a failure counts as false) until it holds or 10 seconds pass. */
    static boolean eventually(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WsClient.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // not yet (e.g. Redis still reconnecting)
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
