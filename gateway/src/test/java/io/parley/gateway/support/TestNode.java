package io.parley.gateway.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.server.ParleyServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/** A real Parley node on a free loopback port with its own data directory and a known HS256 secret. */
public final class TestNode implements AutoCloseable {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

    private final Path dataDir;
    private final UnaryOperator<ParleyConfig.Builder> customizer;
    private ParleyServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestNode(Path dataDir, UnaryOperator<ParleyConfig.Builder> customizer) {
        this.dataDir = dataDir;
        this.customizer = customizer;
        this.server = ParleyServer.start(config());
    }

    public static TestNode start() {
        return start(b -> b);
    }

    public static TestNode start(UnaryOperator<ParleyConfig.Builder> customizer) {
        try {
            return new TestNode(Files.createTempDirectory("parley-test-"), customizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ParleyConfig config() {
        return customizer.apply(ParleyConfig.builder()
                .port(0)
                .bindAddress("127.0.0.1")
                .dataDir(dataDir)
                .jwtSecret(SECRET)
                .devTokens(true))
                .build();
    }

    /** Stops the node and starts a new one on the same data directory (a restart). */
    public void restart() {
        server.close();
        server = ParleyServer.start(config());
    }

    public int port() {
        return server.port();
    }

    /** The running server (presence, metrics registry). */
    public ParleyServer server() {
        return server;
    }

    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(http(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(http(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A valid token for the user, as an identity provider would issue it. */
    public static String token(String subject) {
        return JWT.create().withSubject(subject).withExpiresAt(Instant.now().plus(Duration.ofMinutes(10)))
                .sign(Algorithm.HMAC256(SECRET));
    }

    public static String staffToken(String subject) {
        return JWT.create().withSubject(subject).withClaim("role", "admin")
                .withExpiresAt(Instant.now().plus(Duration.ofMinutes(10))).sign(Algorithm.HMAC256(SECRET));
    }

    /** Opens an {@code events} connection as the user, authenticated the browser way. */
    public WsClient connectEvents(String userId) {
        return WsClient.connect(ws("/ws?sid=" + userId), "access_token", token(userId));
    }

    @Override
    public void close() {
        server.close();
    }
}
