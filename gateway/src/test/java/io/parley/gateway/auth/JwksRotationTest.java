package io.parley.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import io.parley.gateway.support.RawWebSocket;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.JWT_JWKS_URL;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node with {@code jwt_jwks_url} against a real HTTP server serving a JWKS document: tokens
 * pick their key by {@code kid}, an unknown kid is refused, and a key the issuer adds later is
 * accepted without a restart.
 */
class JwksRotationTest {
    private HttpServer issuer;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile List<String> served = List.of();

    @BeforeEach
    void startIssuer() throws Exception {
        issuer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer.createContext("/jwks.json", exchange -> {
            byte[] body = ("{\"keys\":[" + String.join(",", served) + "]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
            // Counted once served, so a test that saw the count may change what the next fetch gets.
            fetches.incrementAndGet();
        });
        issuer.start();
    }

    @AfterEach
    void stopIssuer() {
        issuer.stop(0);
    }

    @Test
    void keysRotateWithoutARestart() throws Exception {
        KeyPair a = rsa();
        KeyPair b = rsa();
        KeyPair ec = ec();
        served = List.of(rsaJwk("a", a), ecJwk("ec", ec));
        String url = "http://127.0.0.1:" + issuer.getAddress().getPort() + "/jwks.json";
        try (TestNode node = TestNode.start(c -> c.set(JWT_SECRET, null).set(JWT_JWKS_URL, url).set(DEV_TOKENS, false))) {
            awaitFetches(1); // at start-up
            assertOpens(node, "jwks-a", rs256("jwks-a", "a", a));
            assertOpens(node, "jwks-ec", JWT.create().withKeyId("ec").withSubject("jwks-ec")
                    .withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.ECDSA256((ECPublicKey) ec.getPublic(), (ECPrivateKey) ec.getPrivate())));
            assertThat(fetches.get()).as("known keys need no fetch").isEqualTo(1);

            assertThat(status(node, "jwks-b", rs256("jwks-b", "b", b))).isEqualTo(401);
            awaitFetches(2); // an unknown kid fetches the set again, after the refusal
            assertThat(rejected(node, "unknown_key")).isEqualTo(1);

            served = List.of(rsaJwk("a", a), ecJwk("ec", ec), rsaJwk("b", b));
            // The first try fetches the set again and is refused at once; a retry finds the key.
            String tokenB = rs256("jwks-b", "b", b);
            assertThat(status(node, "jwks-b", tokenB)).isEqualTo(401);
            assertOpensWithin(node, "jwks-b", tokenB, Duration.ofSeconds(10));
            awaitFetches(3);

            // Key A's id on a token another key signed: the signature, not the id, decides.
            assertThat(status(node, "jwks-a", rs256("jwks-a", "a", rsa()))).isEqualTo(401);
            assertThat(rejected(node, "signature")).isEqualTo(1);
            // No kid, or an algorithm the key set does not verify.
            assertThat(status(node, "jwks-a", JWT.create().withSubject("jwks-a")
                    .withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.RSA256((RSAPublicKey) a.getPublic(), (RSAPrivateKey) a.getPrivate()))))
                    .isEqualTo(401);
            assertThat(status(node, "jwks-a", JWT.create().withKeyId("a").withSubject("jwks-a")
                    .withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.HMAC256(a.getPublic().getEncoded())))).isEqualTo(401);
            assertThat(fetches.get()).as("known or absent kids fetch nothing").isEqualTo(3);
        }
    }

    /** The refetch runs behind the refusal, so its count is awaited, not read. */
    private void awaitFetches(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fetches.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(fetches.get()).isEqualTo(expected);
    }

    private static void assertOpens(TestNode node, String user, String token) {
        try (WsClient c = WsClient.connect(node.ws("/ws?sid=" + user), "access_token", token)) {
            assertThat(c.subprotocol()).isEqualTo("access_token");
        }
    }

    /** Retries while the node refuses (its refetch still landing) until the socket opens. */
    private static void assertOpensWithin(TestNode node, String user, String token, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                assertOpens(node, user, token);
                return;
            } catch (java.util.concurrent.CompletionException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * The status of one handshake, over a raw socket: the JDK client may send a refused GET again
     * on its own, and a second try could find a key the first one fetched.
     */
    private static int status(TestNode node, String user, String token) throws IOException {
        try (RawWebSocket opened = RawWebSocket.connect(node.port(), "/ws?sid=" + user, token)) {
            return 101;
        } catch (IOException refused) {
            Matcher status = Pattern.compile("handshake refused: HTTP/1.1 (\\d{3})").matcher(refused.getMessage());
            if (!status.find()) {
                throw refused;
            }
            return Integer.parseInt(status.group(1));
        }
    }

    private static double rejected(TestNode node, String reason) throws Exception {
        return node.get("/metrics").body().lines()
                .filter(line -> line.startsWith("parley_handshakes_total{") && line.contains("reason=\"" + reason + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String rs256(String subject, String kid, KeyPair pair) {
        return JWT.create().withKeyId(kid).withSubject(subject).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String rsaJwk(String kid, KeyPair pair) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                + base64Url(key.getModulus(), 0) + "\",\"e\":\"" + base64Url(key.getPublicExponent(), 0) + "\"}";
    }

    private static String ecJwk(String kid, KeyPair pair) {
        ECPublicKey key = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"use\":\"sig\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"kid\":\"" + kid + "\",\"x\":\""
                + base64Url(key.getW().getAffineX(), 32) + "\",\"y\":\"" + base64Url(key.getW().getAffineY(), 32) + "\"}";
    }

    /** Unsigned big-endian, left-padded to {@code length} bytes when that is not 0 (RFC 7518). */
    private static String base64Url(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
