package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.TestRedis;
import io.parley.gateway.support.WsClient;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;

/**
 * Several real nodes on one PostgreSQL schema and one Redis of the test's own, plus helpers for
 * the {@code events} dialect: support conversations joined by staff on different nodes are the
 * group chats available on this branch. One per test class:
 * {@code @RegisterExtension static final ClusterFixture cluster = ClusterFixture.perClass(2);}
 * (started before the class's tests, closed after them).
 */
final class ClusterFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private static final AtomicLong APPLICATIONS = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

    private final int nodeCount;
    private final UnaryOperator<ParleyConfig.Builder> settings;
    TestPostgres postgres;
    TestRedis redis;
    final List<TestNode> nodes = new ArrayList<>();

    private ClusterFixture(int nodeCount, UnaryOperator<ParleyConfig.Builder> settings) {
        this.nodeCount = nodeCount;
        this.settings = settings;
    }

    static ClusterFixture perClass(int nodeCount) {
        return perClass(nodeCount, UnaryOperator.identity());
    }

    /** @param settings applied to every node's configuration after the cluster's own */
    static ClusterFixture perClass(int nodeCount, UnaryOperator<ParleyConfig.Builder> settings) {
        return new ClusterFixture(nodeCount, settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        postgres = TestPostgres.createSchema();
        redis = TestRedis.start();
        for (int i = 1; i <= nodeCount; i++) {
            UnaryOperator<ParleyConfig.Builder> own = nodeConfig(i);
            nodes.add(TestNode.start(config -> settings.apply(own.apply(config))));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    UnaryOperator<ParleyConfig.Builder> nodeConfig(int nodeId) {
        return b -> b.set(NODE_ID, nodeId)
                .set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user()).set(STORAGE_PASSWORD, postgres.password())
                .set(REDIS_URL, redis.url());
    }

    TestNode node(int index) {
        return nodes.get(index);
    }

    static long newApplication() {
        return APPLICATIONS.incrementAndGet();
    }

    static WsClient customer(TestNode node, String userId) {
        return node.connectEvents(userId);
    }

    static WsClient staff(TestNode node, String userId) {
        return WsClient.connect(node.ws("/ws?sid=" + userId), "access_token", TestNode.staffToken(userId));
    }

    /** The customer opens the conversation of an application; returns its session_channel. */
    static String openConversation(WsClient customer, String customerId, long application) {
        customer.event("Event.AddConversation", Map.of("user_id", customerId, "application_id", application));
        JsonNode reply = customer.awaitName("Event.AddConversation");
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("AddConversation failed: " + reply);
        }
        return reply.at("/result/session_channel").asText();
    }

    /** Reads the newest page of history (joins staff to the conversation); returns message ids in order. */
    static List<Long> history(WsClient client, String userId, String channel) {
        client.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", userId, "limit", 200));
        JsonNode reply = client.awaitName("Event.GetMessageList");
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("GetMessageList failed: " + reply);
        }
        List<Long> ids = new ArrayList<>();
        reply.at("/result/Messages").forEach(m -> ids.add(m.path("id").asLong()));
        return ids;
    }

    /** Messages after {@code afterId}, every page of them (resume). */
    static List<Long> historyAfter(WsClient client, String userId, String channel, long afterId) {
        List<Long> ids = new ArrayList<>();
        long after = afterId;
        while (true) {
            client.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", userId,
                    "after_id", after, "limit", 200));
            JsonNode reply = client.awaitName("Event.GetMessageList");
            if (!reply.path("ok").asBoolean()) {
                throw new AssertionError("GetMessageList after_id failed: " + reply);
            }
            JsonNode page = reply.at("/result/Messages");
            page.forEach(m -> ids.add(m.path("id").asLong()));
            if (page.size() < 200) {
                return ids;
            }
            after = ids.get(ids.size() - 1);
        }
    }

    static void send(WsClient client, String userId, String channel, String content) {
        client.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", userId, "content", content));
    }

    /** Waits for this connection's next send reply; returns the message id. */
    static long awaitSent(WsClient client) {
        JsonNode reply = client.awaitName("Event.SendMessage");
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("SendMessage failed: " + reply);
        }
        return reply.at("/result/message/id").asLong();
    }

    /** Waits for {@code count} pushed messages of the channel; returns their ids in arrival order. */
    static List<Long> awaitPushes(WsClient client, String channel, int count) {
        List<Long> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            JsonNode push = client.await(m -> "Event.ReceiveMessage".equals(m.path("name").asText())
                    && channel.equals(m.at("/result/message/session_channel").asText()));
            ids.add(push.at("/result/message/id").asLong());
        }
        return ids;
    }

    @Override
    public void close() throws Exception {
        for (TestNode node : nodes) {
            try {
                node.close();
            } catch (RuntimeException e) {
                // already stopped by the test
            }
        }
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
