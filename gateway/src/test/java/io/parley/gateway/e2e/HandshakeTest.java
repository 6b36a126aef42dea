package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static io.parley.gateway.config.Settings.ALLOWED_ORIGINS;
import static org.assertj.core.api.Assertions.assertThat;

/** Credentials are checked before the upgrade: refusals are plain HTTP, no WebSocket is opened. */
class HandshakeTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(ALLOWED_ORIGINS, java.util.List.of("https://chat.example.com")));

    private static int refused(String path, String token) {
        return token == null
                ? WsClient.refusedStatus(node.ws(path))
                : WsClient.refusedStatus(node.ws(path), "access_token", token);
    }

    @Test
    void validTokenUpgradesAndSelectsAccessToken() {
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=alice"), "access_token", TestNode.token("alice"))) {
            assertThat(c.subprotocol()).isEqualTo("access_token");
        }
    }

    @Test
    void seed002ClaimsAreAcceptedAsThePrincipal() {
        String adminToken = JWT.create().withSubject("").withClaim("admin_id", "7")
                .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256(TestNode.SECRET));
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=7"), "access_token", adminToken)) {
            assertThat(c.isOpen()).isTrue();
        }
        String customerToken = JWT.create().withClaim("request_id", 8)
                .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC256(TestNode.SECRET));
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=8"), "access_token", customerToken)) {
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void missingTokenIs401() {
        assertThat(refused("/ws?sid=alice", null)).isEqualTo(401);
    }

    @Test
    void expiredTokenIs401() {
        String expired = JWT.create().withSubject("alice").withExpiresAt(Instant.now().minus(Duration.ofMinutes(5)))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(refused("/ws?sid=alice", expired)).isEqualTo(401);
    }

    @Test
    void tokenWithoutExpIs401() {
        String eternal = JWT.create().withSubject("alice").sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(refused("/ws?sid=alice", eternal)).isEqualTo(401);
    }

    @Test
    void tamperedTokenIs401() {
        String[] parts = TestNode.token("alice").split("\\.");
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"mallory\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(refused("/ws?sid=mallory", parts[0] + "." + payload + "." + parts[2])).isEqualTo(401);
    }

    @Test
    void algNoneIs401() {
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"sub\":\"alice\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}").getBytes());
        assertThat(refused("/ws?sid=alice", header + "." + payload + ".")).isEqualTo(401);
        assertThat(refused("/ws?sid=alice", header + "." + payload + ".x")).isEqualTo(401);
    }

    @Test
    void wrongKeyIs401() {
        String forged = JWT.create().withSubject("alice").withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256("another-secret-another-secret-another-secret"));
        assertThat(refused("/ws?sid=alice", forged)).isEqualTo(401);
    }

    @Test
    void garbageTokenIs401() {
        assertThat(refused("/ws?sid=alice", "not-a-jwt")).isEqualTo(401);
    }

    @Test
    void sidThatIsNotThePrincipalIs403() {
        assertThat(refused("/ws?sid=bob", TestNode.token("alice"))).isEqualTo(403);
    }

    @Test
    void bearerHeaderIsAcceptedForNonBrowserClients() {
        var socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + TestNode.token("carol"))
                .buildAsync(node.ws("/ws?sid=carol"), new java.net.http.WebSocket.Listener() { })
                .join();
        assertThat(socket.isInputClosed()).isFalse();
        socket.abort();
    }

    @Test
    void foreignBrowserOriginIs403AndListedOriginIsAccepted() throws Exception {
        assertThat(upgradeStatusWithOrigin("https://evil.example.net")).isEqualTo(403);
        assertThat(upgradeStatusWithOrigin("https://chat.example.com")).isEqualTo(101);
    }

    @Test
    void plainGetOnTheSocketPathIs400() throws Exception {
        assertThat(node.get("/ws?sid=alice").statusCode()).isEqualTo(400);
    }

    /** The JDK client may not set Origin, so this upgrade goes over a raw socket. */
    private static int upgradeStatusWithOrigin(String origin) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(5000);
            String request = "GET /ws?sid=dave HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Origin: " + origin + "\r\n"
                    + "Sec-WebSocket-Protocol: access_token, " + TestNode.token("dave") + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
