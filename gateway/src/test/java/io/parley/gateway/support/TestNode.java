package io.parley.gateway.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.server.ParleyServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static io.parley.gateway.config.Settings.BIND_ADDRESS;
import static io.parley.gateway.config.Settings.DATA_DIR;
import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.PORT;
import static io.parley.gateway.config.Settings.PRESENCE_OFFLINE_GRACE;

/**
 * A real Parley node on a free loopback port with its own data directory and a known HS256 secret.
 * One per test: {@code try (TestNode node = TestNode.start())}; one per test class:
 * {@code @RegisterExtension static final TestNode node = TestNode.perClass();} (started before the
 * class's tests, closed after them).
 */
public final class TestNode implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

    private final Path dataDir;
    private final UnaryOperator<ParleyConfig.Builder> customizer;
    private ParleyServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestNode(Path dataDir, UnaryOperator<ParleyConfig.Builder> customizer) {
        this.dataDir = dataDir;
        this.customizer = customizer;
    }

    public static TestNode start() {
        return start(b -> b);
    }

    public static TestNode start(UnaryOperator<ParleyConfig.Builder> customizer) {
        TestNode node = perClass(customizer);
        node.server = ParleyServer.start(node.config());
        return node;
    }

    /** A node for {@code @RegisterExtension}: started before the class's tests, closed after them. */
    public static TestNode perClass() {
        return perClass(b -> b);
    }

    public static TestNode perClass(UnaryOperator<ParleyConfig.Builder> customizer) {
        try {
            return new TestNode(Files.createTempDirectory("parley-test-"), customizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = ParleyServer.start(config());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private ParleyConfig config() {
        return customizer.apply(ParleyConfig.builder()
                .set(PORT, 0)
                .set(BIND_ADDRESS, "127.0.0.1")
                .set(DATA_DIR, dataDir)
                .set(JWT_SECRET, SECRET)
                .set(DEV_TOKENS, true)
                // Presence tests see a disconnect's offline at once; PresenceGraceTest covers the grace.
                .set(PRESENCE_OFFLINE_GRACE, Duration.ZERO))
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

    /**
     * The value of a Prometheus series from {@code /metrics}, e.g.
     * {@code metric("parley_limit_rejections_total{limit=\"message_rate\"")}; 0 when absent.
     */
    public double metric(String seriesPrefix) {
        try {
            return get("/metrics").body().lines()
                    .filter(line -> line.startsWith(seriesPrefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A valid token for the user, as an identity provider would issue it. */
    /**
     * One expiry for every token of the run, so a user's tokens are equal strings: dialect
     * {@code pair} requires every frame to repeat the hello's {@code sessionId}, and two tokens
     * minted either side of a second boundary (exp is in seconds) would differ.
     */
    private static final Instant TOKEN_EXPIRY = Instant.now().plus(Duration.ofHours(2));

    public static String token(String subject) {
        return JWT.create().withSubject(subject).withExpiresAt(TOKEN_EXPIRY).sign(Algorithm.HMAC256(SECRET));
    }

    public static String staffToken(String subject) {
        return JWT.create().withSubject(subject).withClaim("role", "admin")
                .withExpiresAt(TOKEN_EXPIRY).sign(Algorithm.HMAC256(SECRET));
    }

    /** A token of the application's backend ({@code role: "service"}) for the server API. */
    public static String serviceToken() {
        return JWT.create().withSubject("backend").withClaim("role", "service")
                .withExpiresAt(TOKEN_EXPIRY).sign(Algorithm.HMAC256(SECRET));
    }

    /** A server API call with the service token; returns status and body. */
    public HttpResponse<String> service(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, serviceToken(), body);
    }

    /** Creates a chat through the server API ({@code body} as {@code POST /api/v1/chats} takes it); returns its id. */
    public String serviceChat(String body) throws IOException, InterruptedException {
        HttpResponse<String> response = service("POST", "/api/v1/chats", body);
        if (response.statusCode() != 201) {
            throw new AssertionError("create chat: " + response.statusCode() + " " + response.body());
        }
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).at("/chat/id").asText();
    }

    /**
     * Waits until this node counts the user online anywhere: a socket is registered a moment after
     * its handshake (in a cluster, a Redis round trip later).
     */
    public void awaitOnline(String userId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!server().onlineUsers().isOnline(userId).join()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(userId + " not online within 10 s");
            }
            Thread.sleep(10);
        }
    }

    /**
     * {@code GET /api/v1/presence?users=...} with the token: the {@code presence} array of a 200
     * (anything else fails the test).
     */
    public JsonNode presence(String token, String... users) {
        try {
            HttpResponse<String> response = call("GET", "/api/v1/presence?users=" + String.join(",", users), token, null);
            if (response.statusCode() != 200) {
                throw new AssertionError("presence: " + response.statusCode() + " " + response.body());
            }
            return new ObjectMapper().readTree(response.body()).path("presence");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asks for the user's presence until their entry matches (a change shows a moment later: the
     * socket's close reaches the node, in a cluster Redis too); fails after 10 s.
     */
    public JsonNode awaitPresence(String token, String user, Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            JsonNode entry = presence(token, user).path(0);
            if (match.test(entry)) {
                return entry;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("presence of " + user + " still " + entry + " after 10 s");
            }
            Thread.sleep(20);
        }
    }

    /** A REST call with the given bearer token. */
    public HttpResponse<String> call(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(http(path)).header("Authorization", "Bearer " + token);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens an {@code events} connection as the user, authenticated the browser way. */
    public WsClient connectEvents(String userId) {
        return WsClient.connect(ws("/ws?sid=" + userId), "access_token", token(userId));
    }

    /** {@code Authorization: Bearer} for the user. */
    public static java.util.Map<String, String> bearer(String userId) {
        return java.util.Map.of("Authorization", "Bearer " + token(userId));
    }

    /** Opens a {@code typed} connection ({@code /ws/chats/}, Bearer header). */
    public WsClient connectTyped(String userId) {
        return WsClient.connect(ws("/ws/chats/"), bearer(userId));
    }

    /** Opens an {@code actions} connection ({@code /api/v1/websocket/ws/{user}}, Bearer header). */
    public WsClient connectActions(String userId) {
        return WsClient.connect(ws("/api/v1/websocket/ws/" + userId), bearer(userId));
    }

    /** Opens a {@code pair} connection to a chat: no credential until the hello frame. */
    public WsClient connectPair(String chatId) {
        return WsClient.connect(ws("/chat/" + chatId));
    }

    /** Opens a {@code pair} connection and authenticates it with a hello; waits for the 200. */
    public WsClient connectPairAs(String chatId, String userId) {
        WsClient client = connectPair(chatId);
        client.json(java.util.Map.of("sessionId", token(userId)));
        client.await(m -> m.path("code").asInt() == 200);
        return client;
    }

    /** Opens a {@code feed} connection to a chat ({@code /v1/chats/{id}}, Bearer header). */
    public WsClient connectFeed(String userId, String chatId, boolean heartbeat) {
        return WsClient.connect(ws("/v1/chats/" + chatId + "?heartbeat=" + heartbeat), bearer(userId));
    }

    /**
     * Opens a connection of {@code dialect} as the user, ready to chat in {@code chatId} (the
     * dialects bound to a chat need it): {@code pair} has said hello, {@code feed} has had its
     * first update (the history).
     */
    public WsClient connect(String dialect, String userId, String chatId) {
        return connect(dialect, userId, chatId, token(userId));
    }

    /** {@link #connect(String, String, String)} with the given token. */
    public WsClient connect(String dialect, String userId, String chatId, String token) {
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        return switch (dialect) {
            case "events" -> WsClient.connect(ws("/ws?sid=" + userId), "access_token", token);
            case "typed" -> WsClient.connect(ws("/ws/chats/"), bearer);
            case "actions" -> WsClient.connect(ws("/api/v1/websocket/ws/" + userId), bearer);
            case "pair" -> {
                WsClient pair = connectPair(chatId);
                pair.json(Map.of("sessionId", token));
                pair.await(m -> m.path("code").asInt() == 200);
                yield pair;
            }
            case "feed" -> {
                WsClient feed = WsClient.connect(ws("/v1/chats/" + chatId + "?heartbeat=false"), bearer);
                feed.awaitType("update");
                yield feed;
            }
            default -> throw new IllegalArgumentException("no dialect " + dialect);
        };
    }

    /** A REST call with the user's bearer token; returns status and body. */
    public HttpResponse<String> rest(String method, String path, String userId, String body)
            throws IOException, InterruptedException {
        return call(method, path, token(userId), body);
    }

    /** Creates a chat through the REST API as {@code userId}; returns its id. */
    public String createChat(String userId, String kind, String... members) {
        try {
            String list = java.util.Arrays.stream(members).map(m -> "\"" + m + "\"").collect(java.util.stream.Collectors.joining(","));
            HttpResponse<String> response = rest("POST", "/api/v1/chats", userId,
                    "{\"kind\":\"" + kind + "\",\"members\":[" + list + "]}");
            if (response.statusCode() != 201) {
                throw new AssertionError("create chat: " + response.statusCode() + " " + response.body());
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).at("/chat/id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
