package io.parley.gateway.ops;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static io.parley.gateway.config.Settings.HISTORY_QUEUE_CAPACITY;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MAX_OUTBOUND_BYTES;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;

/**
 * Traffic that makes a node register its lazily created series (per dialect, reason, limit,
 * code, operation): a chat with a message, refused handshakes, a limit hit, an error reply, a
 * protocol close and a slow consumer; on a cluster node also a bus error.
 */
final class NodeTraffic {
    static final int WRITE_QUEUE_CAPACITY = 4_000;
    /** RedisBus's channel for membership news; every node subscribes to it. */
    private static final String JOINS_CHANNEL = "parley:joins";
    private static final String BIG = "x".repeat(200_000);

    private NodeTraffic() {
    }

    /** Limits low enough for one test to hit them. */
    static ParleyConfig.Builder limits(ParleyConfig.Builder config) {
        return config.set(HISTORY_QUEUE_CAPACITY, WRITE_QUEUE_CAPACITY)
                .set(MAX_CONNECTIONS_PER_USER, 1)
                .set(MAX_OUTBOUND_BYTES, 16 * 1024).set(MAX_FRAME_BYTES, 1024 * 1024).set(MAX_TEXT_LENGTH, BIG.length())
                .set(MAX_MESSAGES_PER_SECOND, 1000).set(MESSAGE_BURST, 1000);
    }

    /** A conversation with one message: connections, frames, commits, history calls. */
    static void chat(TestNode node, String user, long application) {
        try (WsClient customer = node.connectEvents(user)) {
            String channel = openConversation(customer, user, application);
            customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", user, "content", "hi"));
            expectOk(customer.awaitName("Event.SendMessage"));
        }
    }

    /** Everything a single node counts lazily; needs {@link #limits}. */
    static void everything(TestNode node) throws Exception {
        try (WsClient customer = node.connectEvents("ops-c1")) {
            String channel = openConversation(customer, "ops-c1", 990_001);
            // connections_per_user is 1: a second socket of the same user is refused (429).
            expect(WsClient.refusedStatus(node.ws("/ws?sid=ops-c1"), "access_token", TestNode.token("ops-c1")), 429);
            // No credential: a refused handshake (401).
            expect(WsClient.refusedStatus(node.ws("/ws?sid=ops-anon")), 401);
            // An unknown event: an error reply (400).
            customer.send("{\"name\":\"Event.NoSuchThing\",\"args\":{}}");
            expect(customer.awaitName("Event.Error").at("/error/code").asInt(), 400);
            slowConsumer(node, customer, channel);
        }
        // A binary frame: closed by the server (1003).
        try (WsClient binary = node.connectEvents("ops-c3")) {
            binary.sendBinary(new byte[] {1});
            expect(binary.awaitClose(), 1003);
        }
    }

    /** A garbage message on the bus: the node counts a decode error. */
    static void busError(TestNode node, String redisUrl) throws InterruptedException {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().publish(JOINS_CHANNEL, "not a bus frame");
        } finally {
            client.shutdown();
        }
        await(() -> node.metric("parley_bus_errors_total{stage=\"decode\"") > 0, "a bus decode error counted");
    }

    /**
     * Staff joins the conversation on a socket that stops reading (tiny receive buffer); big
     * messages fill its outbound limit until the node closes it with 4008.
     */
    private static void slowConsumer(TestNode node, WsClient customer, String channel) throws Exception {
        Socket tiny = new Socket();
        tiny.setReceiveBufferSize(1024);
        tiny.connect(new InetSocketAddress("127.0.0.1", node.port()));
        try (RawWebSocket stalled = RawWebSocket.connect(tiny, node.port(), "/ws?sid=ops-s1",
                TestNode.staffToken("ops-s1"), "")) {
            stalled.sendText("{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"" + channel
                    + "\",\"executor_id\":\"ops-s1\"}}");
            if (!stalled.readFrame().text().contains("\"ok\":true")) {
                throw new AssertionError("staff did not join the conversation");
            }
            for (int i = 0; i < 60 && node.metric("parley_slow_consumers_closed_total") == 0; i++) {
                customer.event("Event.SendMessage", Map.of("session_channel", channel, "sender_id", "ops-c1",
                        "content", BIG));
                expectOk(customer.awaitName("Event.SendMessage"));
            }
            await(() -> node.metric("parley_slow_consumers_closed_total") > 0, "a slow consumer closed");
        }
    }

    private static String openConversation(WsClient customer, String user, long application) {
        customer.event("Event.AddConversation", Map.of("user_id", user, "application_id", application));
        return expectOk(customer.awaitName("Event.AddConversation")).at("/result/session_channel").asText();
    }

    private static com.fasterxml.jackson.databind.JsonNode expectOk(com.fasterxml.jackson.databind.JsonNode reply) {
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError("request failed: " + reply);
        }
        return reply;
    }

    private static void expect(int actual, int expected) {
        if (actual != expected) {
            throw new AssertionError("expected " + expected + ", got " + actual);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
