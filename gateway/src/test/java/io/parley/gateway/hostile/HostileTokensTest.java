package io.parley.gateway.hostile;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static io.parley.gateway.config.Settings.JWT_AUDIENCE;
import static io.parley.gateway.config.Settings.JWT_ISSUER;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT cases HandshakeTest and PublicKeyTokensTest leave open, on a node that requires an
 * issuer and an audience: every bad token is a plain 401 before any upgrade.
 */
class HostileTokensTest {
    private static final String ISSUER = "https://id.example.com";
    private static final String AUDIENCE = "parley";
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(JWT_ISSUER, ISSUER).set(JWT_AUDIENCE, AUDIENCE).set(JWT_LEEWAY, Duration.ofSeconds(1)));

    private static com.auth0.jwt.JWTCreator.Builder good(String subject) {
        return JWT.create().withSubject(subject).withIssuer(ISSUER).withAudience(AUDIENCE)
                .withExpiresAt(Instant.now().plusSeconds(600));
    }

    private static int status(String token) {
        return WsClient.refusedStatus(node.ws("/ws?sid=h1"), "access_token", token);
    }

    @Test
    void aTokenWithTheRightIssuerAndAudienceOpens() {
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=h1"), "access_token",
                good("h1").sign(Algorithm.HMAC256(TestNode.SECRET)))) {
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void wrongOrMissingIssuerOrAudienceIs401() {
        Algorithm hs = Algorithm.HMAC256(TestNode.SECRET);
        assertThat(status(good("h1").withIssuer("https://evil.example.net").sign(hs))).isEqualTo(401);
        assertThat(status(good("h1").withAudience("another-service").sign(hs))).isEqualTo(401);
        assertThat(status(TestNode.token("h1"))).as("no iss, no aud").isEqualTo(401);
    }

    @Test
    void notYetValidIs401() {
        String future = good("h1").withNotBefore(Instant.now().plus(Duration.ofMinutes(5)))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(status(future)).isEqualTo(401);
    }

    @Test
    void expiredIs401() {
        String expired = good("h1").withExpiresAt(Instant.now().minusSeconds(30)).sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(status(expired)).isEqualTo(401);
    }

    @Test
    void rs256TokenOnAnHs256NodeIs401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String rs = good("h1").sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
        assertThat(status(rs)).isEqualTo(401);
    }

    @Test
    void algNoneAndTamperedPayloadAre401() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String payload = b64.encodeToString(("{\"sub\":\"h1\",\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE
                + "\",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        for (String alg : new String[] {"none", "None", "NONE"}) {
            String header = b64.encodeToString(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
            assertThat(status(header + "." + payload + ".")).isEqualTo(401);
        }
        String[] real = good("h1").sign(Algorithm.HMAC256(TestNode.SECRET)).split("\\.");
        String staffPayload = b64.encodeToString(new String(Base64.getUrlDecoder().decode(real[1]), StandardCharsets.UTF_8)
                .replace("}", ",\"role\":\"admin\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(status(real[0] + "." + staffPayload + "." + real[2])).as("privilege added to the payload").isEqualTo(401);
    }

    /** Up to the header limit a huge token reaches the verifier (401); beyond it the request is 431. */
    @Test
    void hugeTokensAreRefusedWithoutUpgrade() throws Exception {
        String padded = good("h1").withClaim("pad", "p".repeat(10_000)).sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(rawUpgradeStatus(padded)).isEqualTo(401);
        assertThat(rawUpgradeStatus("x".repeat(30_000))).isEqualTo(431);
        assertThat(node.get("/ready").statusCode()).isEqualTo(200);
    }

    private static int rawUpgradeStatus(String token) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            socket.setSoTimeout(5000);
            String request = "GET /ws?sid=h1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Connection: close\r\nSec-WebSocket-Protocol: access_token, " + token + "\r\n\r\n";
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            } catch (java.net.SocketException closedWhileSending) {
                // the node may answer and close before the whole request is written
            }
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).doesNotContain("Exception").doesNotContain("\tat ");
            return Integer.parseInt(response.split(" ")[1]);
        }
    }
}
