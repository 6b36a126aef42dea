package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.gateway.bus.RedisKeys;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.parley.gateway.cluster.ClusterChatTest.eventually;
import static io.parley.gateway.cluster.ClusterFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Faults mid-traffic: Redis restarted empty; a node killed. Nobody loses or repeats a message. */
class ClusterFaultTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2);

    @Test
    void redisRestartedEmptyMidTrafficLosesNothing() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        long app = newApplication();
        try (WsClient customer = customer(a, "501"); WsClient agent = staff(b, "601");
             WsClient readerA = staff(a, "602"); WsClient readerB = staff(b, "603")) {
            String channel = openConversation(customer, "501", app);
            history(agent, "601", channel);
            history(readerA, "602", channel);
            history(readerB, "603", channel);

            exchange(customer, "501", agent, "601", channel, 5, "before");
            cluster.redis.stop();
            // Redis is down: sends still commit, local delivery goes on, cross-node waits; the
            // nodes say they are not ready, so load balancers send new clients elsewhere.
            assertThat(eventually(() -> readyStatus(a) == 503)).as("not ready without the bus").isTrue();
            exchange(customer, "501", agent, "601", channel, 5, "during");
            cluster.redis.startAgain();
            assertThat(eventually(() -> readyStatus(a) == 200 && readyStatus(b) == 200)).as("ready again").isTrue();
            // Both nodes reconnect, resubscribe and register their users again in the empty Redis.
            assertThat(eventually(() -> a.server().onlineUsers().isOnline("603").join()
                    && b.server().onlineUsers().isOnline("602").join())).as("users registered again").isTrue();
            assertThat(eventually(() -> counter(a, "parley.bus.resubscriptions") >= 1
                    && counter(b, "parley.bus.resubscriptions") >= 1)).as("subscriptions renewed").isTrue();
            exchange(customer, "501", agent, "601", channel, 5, "after");

            List<Long> order = history(readerA, "602", channel);
            assertThat(order).hasSize(30);
            assertThat(awaitPushes(readerA, channel, 30)).containsExactlyElementsOf(order);
            assertThat(awaitPushes(readerB, channel, 30)).containsExactlyElementsOf(order);
            assertThat(counter(a, "parley.bus.reconnects") + counter(b, "parley.bus.reconnects")).isGreaterThanOrEqualTo(2);
            assertThat(counter(a, "parley.bus.errors") + counter(b, "parley.bus.errors")).isPositive();
        }
    }

    @Test
    void aPublicationWhoseCommandFailedWhileConnectedIsSentAgain() throws InterruptedException {
        TestNode a = cluster.node(0), b = cluster.node(1);
        try (WsClient customer = customer(a, "521"); WsClient agent = staff(b, "621");
             RedisClient client = RedisClient.create(cluster.redis.url());
             StatefulRedisConnection<String, String> redis = client.connect()) {
            String channel = openConversation(customer, "521", newApplication());
            history(agent, "621", channel);
            send(customer, "521", channel, "routed as usual");
            assertThat(awaitPushes(agent, channel, 1)).containsExactly(awaitSent(customer));
            Thread.sleep(500); // past the join's catch-up (one 100 ms reorder window): only the bus delivers now

            // The connection stays up but the route-and-publish command fails: the user set of
            // the agent's node (b, node id 2) is replaced by a string, so SMISMEMBER answers WRONGTYPE.
            String key = RedisKeys.nodeUsers(2);
            Set<String> nodes = redis.sync().smembers(key);
            double failedBefore = counter(a, "parley.bus.errors");
            redis.sync().del(key);
            redis.sync().set(key, "broken");
            send(customer, "521", channel, "through a failing command");
            long sent = awaitSent(customer); // committed and acknowledged all the same
            assertThat(eventually(() -> counter(a, "parley.bus.errors") > failedBefore)).as("publish failed").isTrue();
            redis.sync().del(key);
            redis.sync().sadd(key, nodes.toArray(String[]::new));

            // No reconnect and no later message: the node sends it again by itself.
            assertThat(awaitPushes(agent, channel, 1)).containsExactly(sent);
            assertThat(counter(a, "parley.bus.republished")).isPositive();
            assertThat(agent.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                    java.time.Duration.ofMillis(300))).as("once").isTrue();
        }
    }

    @Test
    void killedNodesClientsReconnectElsewhereAndResumeWithoutLossOrDuplicates() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        NodeProcess doomed = NodeProcess.start(Map.of(
                "PARLEY_NODE_ID", "9",
                "PARLEY_STORAGE_URL", cluster.postgres.url(),
                "PARLEY_STORAGE_USER", cluster.postgres.user(),
                "PARLEY_STORAGE_PASSWORD", cluster.postgres.password(),
                "PARLEY_REDIS_URL", cluster.redis.url()));
        long app = newApplication();
        try (doomed; WsClient agent = staff(a, "701"); WsClient reader = staff(b, "702")) {
            WsClient customer = WsClient.connect(doomed.ws("/ws?sid=801"), "access_token", TestNode.token("801"));
            String channel = openConversation(customer, "801", app);
            history(agent, "701", channel);
            history(reader, "702", channel);

            List<Long> ownSends = exchange(customer, "801", agent, "701", channel, 5, "before");
            // The agent keeps sending while the customer's node dies (SIGKILL: no close frame, no drain).
            for (int i = 0; i < 10; i++) {
                send(agent, "701", channel, "during kill " + i);
                if (i == 3) {
                    doomed.kill();
                }
            }
            for (int i = 0; i < 10; i++) {
                awaitSent(agent);
            }
            assertThat(customer.awaitClose()).isNotEqualTo(1000);
            List<Long> pushedBefore = pushesSoFar(customer, channel);

            // The customer reconnects to another node and resumes after the last message pushed to it.
            try (WsClient resumed = customer(b, "801")) {
                long lastSeen = pushedBefore.get(pushedBefore.size() - 1);
                List<Long> missed = historyAfter(resumed, "801", channel, lastSeen);
                send(resumed, "801", channel, "back again");
                long back = awaitSent(resumed);
                send(agent, "701", channel, "welcome back");
                long welcome = awaitSent(agent);

                List<Long> order = history(reader, "702", channel);
                assertThat(order).hasSize(22).doesNotHaveDuplicates();
                assertThat(awaitPushes(resumed, channel, 1)).containsExactly(welcome);
                assertThat(resumed.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                        java.time.Duration.ofMillis(200))).isTrue();
                // Pushes before the kill were in order; the resumed page is exactly what came after them
                // (it may hold the customer's own sends, known from their replies: a client merges by id).
                assertThat(order).containsSubsequence(pushedBefore);
                assertThat(missed).containsExactlyElementsOf(order.subList(order.indexOf(lastSeen) + 1, 20));
                List<Long> received = new ArrayList<>(pushedBefore);
                received.addAll(missed);
                received.add(welcome);
                assertThat(received).as("nothing pushed or paged twice").doesNotHaveDuplicates();
                Set<Long> timeline = new LinkedHashSet<>(received);
                timeline.addAll(ownSends);
                timeline.add(back);
                assertThat(timeline).as("nothing lost").containsExactlyInAnyOrderElementsOf(order);
                // Readers on the surviving nodes got every message once, in order.
                assertThat(awaitPushes(reader, channel, 22)).containsExactlyElementsOf(order);
            }
        }
    }

    /**
     * Two senders on a node that is killed mid-burst, sending with client ids without waiting for
     * answers, then sending everything unanswered again (twice, as if a retry's answer was lost too)
     * through a surviving node. History holds each message exactly once, every answer for a message
     * is its one id, and a member on another node, after resuming from the last push it got, has
     * every message once, in the chat's order.
     */
    @Test
    void sendsRetriedWithTheirClientIdsAcrossANodeKillAreStoredOnce() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        NodeProcess doomed = NodeProcess.start(clusterNode("8",
                Map.of("PARLEY_MAX_MESSAGES_PER_SECOND", "10000", "PARLEY_MESSAGE_BURST", "10000")));
        List<String> senders = List.of("kr-s1", "kr-s2");
        int perSender = 30;
        String chat = a.createChat("kr-s1", "group", "kr-s2", "kr-listener");
        try (doomed; WsClient listener = b.connectTyped("kr-listener")) {
            Map<String, WsClient> doomedSockets = new java.util.HashMap<>();
            for (String sender : senders) {
                doomedSockets.put(sender, WsClient.connect(doomed.ws("/ws/chats/"), TestNode.bearer(sender)));
            }
            for (int i = 0; i < perSender; i++) {
                for (String sender : senders) {
                    try {
                        doomedSockets.get(sender).json(typedSend(chat, sender + " #" + i));
                    } catch (RuntimeException dropped) {
                        // the node is gone: sent again below
                    }
                }
                if (i == perSender / 3) {
                    doomed.kill();
                }
            }
            Map<String, Set<Long>> answers = new java.util.HashMap<>(); // text -> every id it was answered with
            for (String sender : senders) {
                doomedSockets.get(sender).allReceived().forEach(frame -> collectAnswer(frame, sender, answers));
            }
            int unansweredTotal = 0;
            double repeatsBefore = a.metric("parley_messages_repeated_total");
            for (String sender : senders) {
                List<String> unanswered = new ArrayList<>();
                for (int i = 0; i < perSender; i++) {
                    if (!answers.containsKey(sender + " #" + i)) {
                        unanswered.add(sender + " #" + i);
                    }
                }
                unansweredTotal += unanswered.size();
                try (WsClient again = a.connectTyped(sender)) {
                    for (int round = 0; round < 2; round++) {
                        unanswered.forEach(text -> again.json(typedSend(chat, text)));
                    }
                    for (int n = 0; n < 2 * unanswered.size(); n++) {
                        collectAnswer(again.await(m -> "new_message".equals(m.path("type").asText())
                                && sender.equals(m.at("/content/sender_id").asText())), sender, answers);
                    }
                }
            }

            assertThat(unansweredTotal).as("the kill left sends unanswered").isPositive();
            assertThat(a.metric("parley_messages_repeated_total") - repeatsBefore)
                    .as("every second retry, at least, was a repeat").isGreaterThanOrEqualTo(unansweredTotal);

            JsonNode page = historyPage(b, "kr-listener", chat);
            List<String> texts = new ArrayList<>();
            List<Long> order = new ArrayList<>();
            page.path("messages").forEach(m -> {
                texts.add(m.path("text").asText());
                order.add(m.path("id").asLong());
            });
            assertThat(texts).as("each message once").hasSize(senders.size() * perSender).doesNotHaveDuplicates();
            assertThat(answers).hasSize(senders.size() * perSender);
            answers.forEach((text, ids) -> assertThat(ids).as("answers for %s", text)
                    .containsExactly(order.get(texts.indexOf(text))));

            // The member on a surviving node: what was pushed to it, then a resume after the last of it.
            List<Long> received = new ArrayList<>();
            eventually(() -> {
                listener.drain(m -> "new_message".equals(m.path("type").asText()), Duration.ofMillis(300))
                        .forEach(m -> received.add(m.at("/content/message_id").asLong()));
                return received.size() >= order.size();
            });
            long last = received.isEmpty() ? 0 : received.get(received.size() - 1);
            if (last != 0 && received.size() < order.size()) {
                listener.json(Map.of("type", "sync", "content", Map.of("chat_type", "project", "chat_id", chat,
                        "after", last)));
                listener.awaitType("sync").at("/content/messages").forEach(m -> received.add(m.path("message_id").asLong()));
            }
            assertThat(received).as("the member has every message once, in order").containsExactlyElementsOf(order);
        }
    }

    private static Map<String, Object> typedSend(String chat, String text) {
        return Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat,
                "message", text, "client_message_id", "cid:" + text));
    }

    /** A typed acknowledgement of {@code sender}'s: its message id, by text. */
    private static void collectAnswer(JsonNode frame, String sender, Map<String, Set<Long>> answers) {
        if ("new_message".equals(frame.path("type").asText()) && sender.equals(frame.at("/content/sender_id").asText())) {
            answers.computeIfAbsent(frame.at("/content/message").asText(), k -> new LinkedHashSet<>())
                    .add(frame.at("/content/message_id").asLong());
        }
    }

    private static JsonNode historyPage(TestNode node, String user, String chat) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=200", user, null).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A rolling restart of one node: on SIGTERM it answers /ready with 503 at once and keeps serving
     * through shutdown_grace, then closes its sockets with 1001 spread over shutdown_close_window,
     * and every message it acknowledged is in history.
     */
    @Test
    void sigtermWithAGraceTakesTheNodeOutThenClosesSocketsSpreadOverTheWindow() throws Exception {
        TestNode b = cluster.node(1);
        Duration grace = Duration.ofSeconds(5);
        Duration window = Duration.ofSeconds(2);
        NodeProcess stopping = NodeProcess.start(clusterNode("11",
                Map.of("PARLEY_SHUTDOWN_GRACE", "5s", "PARLEY_SHUTDOWN_CLOSE_WINDOW", "2s")));
        long app = newApplication();
        List<WsClient> watchers = new ArrayList<>();
        try (stopping; WsClient agent = staff(b, "731"); WsClient reader = staff(b, "732")) {
            WsClient customer = WsClient.connect(stopping.ws("/ws?sid=831"), "access_token", TestNode.token("831"));
            watchers.add(customer);
            for (int i = 0; i < 8; i++) {
                watchers.add(WsClient.connect(stopping.ws("/ws?sid=74" + i), "access_token", TestNode.staffToken("74" + i)));
            }
            String channel = openConversation(customer, "831", app);
            history(agent, "731", channel);
            history(reader, "732", channel);
            assertThat(stopping.httpStatus("/ready")).isEqualTo(200);

            long signalled = System.nanoTime();
            stopping.signalTerm();
            assertThat(eventually(() -> stopping.httpStatus("/ready") == 503)).as("not ready at once").isTrue();
            // Still serving: sends are committed, acknowledged and delivered across the cluster.
            List<Long> acked = exchange(customer, "831", agent, "731", channel, 3, "grace");
            assertThat(System.nanoTime() - signalled).as("all within the grace").isLessThan(grace.toNanos());
            assertThat(watchers).allSatisfy(w -> assertThat(w.isOpen()).isTrue());

            // Then every socket is closed with 1001, at moments spread over the window.
            long[] closedAt = new long[watchers.size()];
            long deadline = System.nanoTime() + grace.plus(window).plusSeconds(10).toNanos();
            while (System.nanoTime() < deadline && java.util.Arrays.stream(closedAt).anyMatch(at -> at == 0)) {
                for (int i = 0; i < watchers.size(); i++) {
                    if (closedAt[i] == 0 && !watchers.get(i).isOpen()) {
                        closedAt[i] = System.nanoTime();
                    }
                }
                Thread.sleep(5);
            }
            assertThat(closedAt).as("every socket closed").doesNotContain(0L);
            assertThat(watchers).allSatisfy(w -> assertThat(w.awaitClose()).isEqualTo(1001));
            long first = java.util.Arrays.stream(closedAt).min().orElseThrow();
            long last = java.util.Arrays.stream(closedAt).max().orElseThrow();
            assertThat(first - signalled).as("none closed during the grace").isGreaterThanOrEqualTo(grace.toNanos());
            assertThat(last - first).as("closes spread over the window").isGreaterThan(window.toNanos() / 3);
            assertThat(stopping.awaitExit(Duration.ofSeconds(30))).isIn(0, 143);

            List<Long> order = history(reader, "732", channel);
            assertThat(order).as("nothing acknowledged lost").containsAll(acked);
        } finally {
            watchers.forEach(WsClient::close);
        }
    }

    @Test
    void drainedNodeClosesWith1001AndLosesNothing() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        // The burst is about draining, not about the rate limiter.
        NodeProcess draining = NodeProcess.start(clusterNode("10",
                Map.of("PARLEY_MAX_MESSAGES_PER_SECOND", "10000", "PARLEY_MESSAGE_BURST", "10000")));
        long app = newApplication();
        int burst = 180; // with the 4 messages before, history fits one page of 200
        int window = 60; // under the 64 requests a connection may have in flight: none is refused
        try (draining; WsClient agent = staff(a, "711"); WsClient reader = staff(b, "712")) {
            WsClient customer = WsClient.connect(draining.ws("/ws?sid=811"), "access_token", TestNode.token("811"));
            String channel = openConversation(customer, "811", app);
            history(agent, "711", channel);
            history(reader, "712", channel);
            List<Long> ownSends = exchange(customer, "811", agent, "711", channel, 2, "before");

            // The customer streams messages, up to `window` unanswered, and is still sending when
            // SIGTERM lands (after its 10th reply): the node must drain, not reset the connection.
            List<Long> acked = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch tenAcked = new java.util.concurrent.CountDownLatch(10);
            java.util.function.Predicate<JsonNode> sendReply = m -> "Event.SendMessage".equals(m.path("name").asText());
            Thread sender = new Thread(() -> {
                int sent = 0, replied = 0;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && (sent < burst || replied < sent)) {
                    if (sent < burst && sent - replied < window) {
                        try {
                            send(customer, "811", channel, "burst " + sent);
                        } catch (RuntimeException e) {
                            break; // the node closed the socket: the rest is never sent
                        }
                        sent++;
                    }
                    JsonNode reply = customer.awaitWithin(sendReply, java.time.Duration.ofMillis(1));
                    if (reply == null) {
                        if (!customer.isOpen()) {
                            break;
                        }
                        continue;
                    }
                    replied++;
                    if (reply.path("ok").asBoolean()) {
                        acked.add(reply.at("/result/message/id").asLong());
                        tenAcked.countDown();
                    }
                }
                while (tenAcked.getCount() > 0) {
                    tenAcked.countDown(); // never leave the test waiting
                }
            }, "burst-sender");
            sender.start();
            tenAcked.await(20, java.util.concurrent.TimeUnit.SECONDS);
            int exit = draining.terminate(java.time.Duration.ofSeconds(20));
            sender.join(40_000);
            assertThat(sender.isAlive()).isFalse();
            assertThat(exit).as("exit code after SIGTERM; log: %s", draining.tail()).isIn(0, 143);
            assertThat(customer.awaitClose()).as("close code; client failure: %s", customer.failure()).isEqualTo(1001);

            List<JsonNode> replies = customer.drain(sendReply, java.time.Duration.ofMillis(200));
            for (JsonNode reply : replies) {
                if (reply.path("ok").asBoolean()) {
                    acked.add(reply.at("/result/message/id").asLong());
                }
            }
            List<Long> pushedBefore = pushesSoFar(customer, channel);

            List<JsonNode> messages = historyMessages(reader, "712", channel);
            List<Long> order = messages.stream().map(m -> m.path("id").asLong()).toList();
            List<String> burstCommitted = messages.stream().map(m -> m.path("content").asText())
                    .filter(c -> c.startsWith("burst ")).toList();
            assertThat(order).doesNotHaveDuplicates().containsAll(acked);
            assertThat(acked).as("replies in commit order").doesNotHaveDuplicates().isSortedAccordingTo(
                    java.util.Comparator.comparingInt(order::indexOf));
            // What was read before the socket closed was committed in the order sent, without a gap.
            assertThat(burstCommitted).hasSizeGreaterThanOrEqualTo(acked.size())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, burstCommitted.size())
                            .mapToObj(i -> "burst " + i).toList());
            // Every committed message, acked or not, reached readers on both surviving nodes once, in order.
            assertThat(awaitPushes(reader, channel, order.size())).containsExactlyElementsOf(order);
            assertThat(reader.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                    java.time.Duration.ofMillis(200))).isTrue();
            List<Long> agentPushes = awaitPushes(agent, channel, order.size() - 2);
            assertThat(order).containsSubsequence(agentPushes);
            assertThat(agentPushes).doesNotHaveDuplicates();

            // The customer reconnects to the other node and resumes after the last message it knows.
            try (WsClient resumed = customer(b, "811")) {
                long lastKnown = acked.get(acked.size() - 1);
                List<Long> missed = historyAfter(resumed, "811", channel, lastKnown);
                assertThat(missed).containsExactlyElementsOf(order.subList(order.indexOf(lastKnown) + 1, order.size()));
                Set<Long> timeline = new LinkedHashSet<>(ownSends);
                timeline.addAll(pushedBefore);
                timeline.addAll(acked);
                timeline.addAll(missed);
                assertThat(timeline).as("nothing lost").containsExactlyInAnyOrderElementsOf(order);
            }
        }
    }

    /** The environment of a node process joining this class's cluster as {@code nodeId}, plus {@code extra}. */
    private static Map<String, String> clusterNode(String nodeId, Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "PARLEY_NODE_ID", nodeId,
                "PARLEY_STORAGE_URL", cluster.postgres.url(),
                "PARLEY_STORAGE_USER", cluster.postgres.user(),
                "PARLEY_STORAGE_PASSWORD", cluster.postgres.password(),
                "PARLEY_REDIS_URL", cluster.redis.url()));
        environment.putAll(extra);
        return environment;
    }

    private static int readyStatus(TestNode node) {
        try {
            return node.get("/ready").statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Customer and agent take turns, each waiting for its reply; returns the customer's message ids. */
    private static List<Long> exchange(WsClient customer, String customerId, WsClient agent, String agentId,
                                       String channel, int rounds, String label) {
        List<Long> customerSent = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            send(customer, customerId, channel, label + " customer " + i);
            customerSent.add(awaitSent(customer));
            send(agent, agentId, channel, label + " agent " + i);
            awaitSent(agent);
        }
        return customerSent;
    }

    /** The newest page of history (limit 200) as the messages themselves. */
    private static List<JsonNode> historyMessages(WsClient client, String userId, String channel) {
        client.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", userId, "limit", 200));
        JsonNode reply = client.awaitName("Event.GetMessageList");
        assertThat(reply.path("ok").asBoolean()).as("GetMessageList: %s", reply).isTrue();
        List<JsonNode> messages = new ArrayList<>();
        reply.at("/result/Messages").forEach(messages::add);
        return messages;
    }

    /** The pushes a closed connection had received. */
    private static List<Long> pushesSoFar(WsClient client, String channel) {
        List<Long> ids = new ArrayList<>();
        JsonNode push;
        while ((push = client.awaitWithin(m -> "Event.ReceiveMessage".equals(m.path("name").asText())
                && channel.equals(m.at("/result/message/session_channel").asText()), java.time.Duration.ofMillis(100))) != null) {
            ids.add(push.at("/result/message/id").asLong());
        }
        return ids;
    }

    private static double counter(TestNode node, String name) {
        return node.server().registry().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
