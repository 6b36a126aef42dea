package io.parley.gateway.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.HANDSHAKE_TIMEOUT;
import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.MAX_CHATS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_ADDRESS;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MAX_OUTBOUND_BYTES;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configurable limit end to end against a real node: what the client sees, that the node
 * counts it in {@code parley_limit_rejections_total}, and that others are unaffected.
 */
class LimitsTest {

    private static String rejections(String limit) {
        return "parley_limit_rejections_total{limit=\"" + limit + "\"";
    }

    @Test
    void messageRateAnswers429ThenClosesAnAbuserWith1008() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 1).set(MESSAGE_BURST, 3));
             RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws?sid=r1", TestNode.token("r1"))) {
            for (int i = 0; i < 5; i++) {
                raw.sendText("{\"name\":\"Event.GetUnreadInfo\",\"id\":" + i + ",\"args\":{\"user_id\":\"r1\"}}");
            }
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(raw.readFrame().text());
            }
            // The burst (3) is served; the rest are refused, addressed to their request, socket open.
            assertThat(replies).filteredOn(r -> r.contains("\"ok\":true")).hasSize(3);
            assertThat(replies).filteredOn(r -> r.contains("\"code\":429")).hasSize(2)
                    .allMatch(r -> r.contains("\"name\":\"Event.GetUnreadInfo\""));
            assertThat(node.metric(rejections("message_rate"))).isEqualTo(2);

            // Ignoring a whole burst's worth of 429s in a row is abuse: close 1008. Six frames cover
            // the threshold (more than 3 refused in a row) even if a token refilled meanwhile.
            for (int i = 0; i < 6; i++) {
                try {
                    raw.sendText("{\"name\":\"Event.GetUnreadInfo\",\"args\":{\"user_id\":\"r1\"}}");
                } catch (java.net.SocketException closedMeanwhile) {
                    break; // the server may close before the abuser stops writing: that is the point
                }
            }
            RawWebSocket.Frame close = raw.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1008);
            assertThat(raw.serverClosed()).isTrue();
            assertThat(node.metric("parley_protocol_closes_total{code=\"1008\"")).isEqualTo(1);
        }
    }

    @Test
    void aClientWithinTheRateIsNeverRefused() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(MAX_MESSAGES_PER_SECOND, 20).set(MESSAGE_BURST, 2));
             WsClient c = node.connectEvents("r2")) {
            for (int i = 0; i < 6; i++) {
                c.event("Event.GetUnreadInfo", Map.of("user_id", "r2"));
                assertThat(c.awaitName("Event.GetUnreadInfo").path("ok").asBoolean()).isTrue();
                Thread.sleep(60); // 1/rate = 50 ms
            }
        }
    }

    @Test
    void connectionsPerUserAreCappedWith429BeforeTheUpgrade() {
        try (TestNode node = TestNode.start(b -> b.set(MAX_CONNECTIONS_PER_USER, 2))) {
            WsClient first = node.connectEvents("u1");
            WsClient second = node.connectEvents("u1");
            assertThat(WsClient.refusedStatus(node.ws("/ws?sid=u1"), "access_token", TestNode.token("u1")))
                    .isEqualTo(429);
            try (WsClient otherUser = node.connectEvents("u2")) {
                assertThat(otherUser.isOpen()).isTrue();
            }
            assertThat(node.metric(rejections("connections_per_user"))).isEqualTo(1);
            first.close();
            second.close();
            // Slots come back when sockets close.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                try (WsClient again = node.connectEvents("u1"); WsClient andAgain = node.connectEvents("u1")) {
                    assertThat(again.isOpen() && andAgain.isOpen()).isTrue();
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
        }
    }

    @Test
    void connectionsPerAddressAreCappedAtAccept() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(MAX_CONNECTIONS_PER_ADDRESS, 3))) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(new Socket("127.0.0.1", node.port()));
                }
                Thread.sleep(200); // let the node accept them
                try (Socket fourth = new Socket("127.0.0.1", node.port())) {
                    fourth.setSoTimeout(5000);
                    assertThat(fourth.getInputStream().read()).as("closed at once").isEqualTo(-1);
                }
                assertThat(requestOn(held.get(0), "/health")).startsWith("HTTP/1.1 200");
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            Thread.sleep(200);
            try (Socket after = new Socket("127.0.0.1", node.port())) {
                assertThat(requestOn(after, "/health")).startsWith("HTTP/1.1 200");
            }
            try (Socket metrics = new Socket("127.0.0.1", node.port())) {
                assertThat(requestOn(metrics, "/metrics")).contains(rejections("connections_per_address") + "} 1.0");
            }
        }
    }

    private static String requestOn(Socket socket, String path) throws Exception {
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Slowloris: a request dribbled a byte at a time never completes; the node hangs up at the deadline. */
    @Test
    void handshakeTimeoutClosesADribblingClient() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(HANDSHAKE_TIMEOUT, Duration.ofMillis(600)));
             Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] request = ("GET /ws?sid=s1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n").getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            boolean closed = false;
            try {
                for (int i = 0; i < request.length && !closed; i++) {
                    out.write(request[i]);
                    out.flush();
                    try {
                        closed = in.read() == -1;
                    } catch (SocketTimeoutException stillOpen) {
                        // the node is still waiting: dribble on
                    }
                }
            } catch (java.net.SocketException reset) {
                closed = true;
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(closed).as("closed before the request completed").isTrue();
            assertThat(tookMillis).isBetween(500L, 5_000L);
            assertThat(node.metric(rejections("handshake_timeout"))).isEqualTo(1);
            assertThat(node.get("/ready").statusCode()).isEqualTo(200);
        }
    }

    /** Idle timeout: a ping at half of it; a client that answers stays, one that is silent gets 1001. */
    @Test
    void idleTimeoutPingsThenClosesASilentClient() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(IDLE_TIMEOUT, Duration.ofMillis(800)));
             RawWebSocket silent = RawWebSocket.connect(node.port(), "/ws?sid=i1", TestNode.token("i1"));
             WsClient answering = node.connectEvents("i2")) { // the JDK client answers pings itself
            long start = System.nanoTime();
            RawWebSocket.Frame ping = silent.readFrame();
            assertThat(ping.opcode()).isEqualTo(RawWebSocket.PING);
            RawWebSocket.Frame close = silent.readFrame();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1001);
            assertThat(tookMillis).isBetween(600L, 5_000L);
            assertThat(silent.serverClosed()).isTrue();

            Thread.sleep(1_200); // longer than the idle timeout
            answering.event("Event.GetUnreadInfo", Map.of("user_id", "i2"));
            assertThat(answering.awaitName("Event.GetUnreadInfo").path("ok").asBoolean()).isTrue();
            assertThat(node.metric(rejections("idle_timeout"))).isEqualTo(1);
        }
    }

    /**
     * A reader that stops reading (tiny receive buffer, never reads) is closed once more than
     * max_outbound_bytes wait for it; the sender and the node carry on, its memory is released.
     */
    @Test
    void slowConsumerIsClosedAndReleased() throws Exception {
        try (TestNode node = TestNode.start(b -> b.set(MAX_OUTBOUND_BYTES, 16 * 1024)
                .set(MAX_FRAME_BYTES, 1024 * 1024).set(MAX_TEXT_LENGTH, 200_000).set(MAX_MESSAGES_PER_SECOND, 1000).set(MESSAGE_BURST, 1000));
             WsClient customer = node.connectEvents("sc1")) {
            customer.event("Event.AddConversation", Map.of("user_id", "sc1", "application_id", 880001));
            customer.awaitName("Event.AddConversation");

            Socket tiny = new Socket();
            tiny.setReceiveBufferSize(1024);
            tiny.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()));
            try (RawWebSocket stalled = RawWebSocket.connect(tiny, node.port(), "/ws?sid=sc2",
                    TestNode.staffToken("sc2"), "")) {
                stalled.sendText("{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\"880001\",\"executor_id\":\"sc2\"}}");
                assertThat(stalled.readFrame().text()).contains("\"ok\":true"); // joined; now it stops reading
                double connectionsBefore = node.metric("parley_connections{");

                String big = "x".repeat(200_000);
                for (int i = 0; i < 60 && node.metric("parley_slow_consumers_closed_total") == 0; i++) {
                    customer.event("Event.SendMessage", Map.of("session_channel", "880001", "sender_id", "sc1", "content", big));
                    assertThat(customer.awaitName("Event.SendMessage").path("ok").asBoolean()).isTrue();
                }
                assertThat(node.metric("parley_slow_consumers_closed_total")).isEqualTo(1);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (node.metric("parley_connections{") > connectionsBefore - 1 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(node.metric("parley_connections{")).as("the stalled socket is gone").isEqualTo(connectionsBefore - 1);
            }
            // The sender and the node are fine.
            customer.event("Event.SendMessage", Map.of("session_channel", "880001", "sender_id", "sc1", "content", "still here"));
            assertThat(customer.awaitName("Event.SendMessage").path("ok").asBoolean()).isTrue();
            assertThat(node.get("/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void chatsPerUserAreCappedButExistingChatsStillOpen() {
        try (TestNode node = TestNode.start(b -> b.set(MAX_CHATS_PER_USER, 2)); WsClient c = node.connectEvents("m1")) {
            for (int app = 770001; app <= 770002; app++) {
                c.event("Event.AddConversation", Map.of("user_id", "m1", "application_id", app));
                assertThat(c.awaitName("Event.AddConversation").path("ok").asBoolean()).isTrue();
            }
            c.event("Event.AddConversation", Map.of("user_id", "m1", "application_id", 770003));
            JsonNode refused = c.awaitName("Event.AddConversation");
            assertThat(refused.at("/error/code").asInt()).isEqualTo(403);
            assertThat(refused.at("/error/message").asText()).contains("max_chats_per_user");
            // Idempotent re-open of a chat the user already has is not a new chat.
            c.event("Event.AddConversation", Map.of("user_id", "m1", "application_id", 770001));
            assertThat(c.awaitName("Event.AddConversation").path("ok").asBoolean()).isTrue();
            c.event("Event.GetConversationList", Map.of("user_id", "m1"));
            assertThat(c.awaitName("Event.GetConversationList").at("/result/conversations")).hasSize(2);
            assertThat(node.metric(rejections("chats_per_user"))).isEqualTo(1);
        }
    }
}
