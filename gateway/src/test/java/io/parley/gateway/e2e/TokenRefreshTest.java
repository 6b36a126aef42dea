package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket whose client refreshes its token lives on past the old token's expiry, in every
 * dialect, and still closes (4001) at the new one's; a refused refresh (another user's token, a
 * service token, garbage, an expired token) is answered in the dialect's error format and leaves
 * the old deadline. The five dialects run side by side, so each test waits out its tokens once.
 */
class TokenRefreshTest {
    private static final List<String> DIALECTS = List.of("events", "typed", "actions", "pair", "feed");

    /** The expiry is checked by the idle sweep, an eighth of idle_timeout apart: a short one here. */
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(JWT_LEEWAY, java.time.Duration.ZERO)
            .set(IDLE_TIMEOUT, java.time.Duration.ofSeconds(2)));

    @Test
    void aRefreshedSocketOutlivesItsFirstTokenAndClosesAtTheNewExpiry() throws InterruptedException {
        String prefix = "tr-ok-";
        String chat = chatOfEveryDialect(prefix);
        // Room for five handshakes before the first expiry; exp is in whole seconds.
        Instant first = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        Instant second = first.plusSeconds(3);
        Map<String, WsClient> sockets = new LinkedHashMap<>();
        try {
            for (String dialect : DIALECTS) {
                String user = prefix + dialect;
                WsClient socket = node.connect(dialect, user, chat, token(user, first));
                sockets.put(dialect, socket);
                socket.send(refresh(dialect, token(user, second)));
                JsonNode refreshed = socket.await(m -> isRefreshed(dialect, m));
                assertThat(expiresAt(dialect, refreshed)).as(dialect + ": the new token's expiry").isEqualTo(second);
            }

            sleepUntil(first.plusSeconds(1)); // the first deadline has passed, and the sweep with it
            for (String dialect : DIALECTS) {
                WsClient socket = sockets.get(dialect);
                roundTrip(dialect, socket, prefix + dialect, token(prefix + dialect, second), chat);
                assertThat(socket.isOpen()).as(dialect + ": open past the first token's expiry").isTrue();
                assertThat(socket.allReceived().toString()).as(dialect).doesNotContain("access token expired");
            }

            for (String dialect : DIALECTS) {
                WsClient socket = sockets.get(dialect);
                assertThat(socket.await(m -> m.toString().contains("access token expired")).toString())
                        .as(dialect + ": told in its own format").contains("401");
                assertThat(socket.awaitClose()).as(dialect).isEqualTo(4001);
                assertThat(Instant.now()).as(dialect + ": not closed before the new expiry").isAfterOrEqualTo(second);
            }
        } finally {
            sockets.values().forEach(WsClient::close);
        }
    }

    @Test
    void aRefusedRefreshIsAnErrorInTheDialectAndTheOldDeadlineStands() {
        String prefix = "tr-no-";
        String chat = chatOfEveryDialect(prefix);
        Instant expiry = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        Instant later = Instant.now().plusSeconds(3600);
        Map<String, WsClient> sockets = new LinkedHashMap<>();
        try {
            for (String dialect : DIALECTS) {
                String user = prefix + dialect;
                WsClient socket = node.connect(dialect, user, chat, token(user, expiry));
                sockets.put(dialect, socket);
                Map<String, Integer> refusals = new LinkedHashMap<>();
                refusals.put(token(prefix + "someone-else", later), 403);
                refusals.put(serviceToken(user, later), 403);
                refusals.put("not-a-jwt", 401);
                refusals.put(token(user, Instant.now().minusSeconds(60)), 401);
                for (Map.Entry<String, Integer> refusal : refusals.entrySet()) {
                    socket.send(refresh(dialect, refusal.getKey()));
                    JsonNode error = socket.await(m -> errorCode(dialect, m) > 0);
                    assertThat(errorCode(dialect, error)).as(dialect + ": " + error).isEqualTo(refusal.getValue());
                    assertThat(error.toString()).as(dialect).contains("token refresh refused");
                }
                assertThat(socket.isOpen()).as(dialect + ": a refused refresh closes nothing").isTrue();
            }
            for (String dialect : DIALECTS) {
                WsClient socket = sockets.get(dialect);
                assertThat(socket.await(m -> m.toString().contains("access token expired")).toString())
                        .as(dialect).contains("401");
                assertThat(socket.awaitClose()).as(dialect + ": closed at the old expiry").isEqualTo(4001);
            }
        } finally {
            sockets.values().forEach(WsClient::close);
        }
    }

    @Test
    void aServiceTokenOpensNoSocket() {
        String user = "tr-service";
        String chat = node.createChat(user, "group", "tr-service-peer");
        String service = serviceToken(user, Instant.now().plusSeconds(3600));
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + service);
        assertThat(WsClient.refusedStatus(node.ws("/ws?sid=" + user), "access_token", service)).isEqualTo(403);
        assertThat(WsClient.refusedStatus(node.ws("/ws/chats/"), bearer)).isEqualTo(403);
        assertThat(WsClient.refusedStatus(node.ws("/api/v1/websocket/ws/" + user), bearer)).isEqualTo(403);
        assertThat(WsClient.refusedStatus(node.ws("/v1/chats/" + chat), bearer)).isEqualTo(403);
        try (WsClient pair = node.connectPair(chat)) {
            pair.json(Map.of("sessionId", service));
            JsonNode refused = pair.await(m -> m.has("code"));
            assertThat(refused.path("code").asInt()).isEqualTo(403);
            assertThat(refused.path("message").asText()).contains("service token");
        }
    }

    /** In {@code pair} every frame carries the credential: a message frame with a fresh one refreshes and posts. */
    @Test
    void pairRefreshesWithTheTokenOfAnyFrame() {
        String user = "tr-pair-owner";
        String chat = node.createChat(user, "booking", "tr-pair-sitter");
        String fresh = token(user, Instant.now().plusSeconds(7200).truncatedTo(ChronoUnit.SECONDS));
        try (WsClient pair = node.connectPairAs(chat, user)) {
            pair.json(Map.of("sessionId", fresh, "message", "with a fresh token"));
            assertThat(pair.await(m -> m.has("messageId")).path("message").asText()).isEqualTo("with a fresh token");
            pair.json(Map.of("sessionId", fresh));
            JsonNode hello = pair.await(m -> m.has("code"));
            assertThat(hello.path("code").asInt()).isEqualTo(200);
            assertThat(hello.has("expires_at")).as("now the connection's own sessionId: a plain hello").isFalse();
        }
    }

    /** A refresh takes its turn: answered after the send before it. */
    @Test
    void aRefreshIsAnsweredInOrder() {
        String user = "tr-order";
        try (WsClient events = node.connectEvents(user)) {
            events.event("Event.AddConversation", Map.of("user_id", user, "application_id", 7001));
            events.awaitName("Event.AddConversation");
            events.event("Event.SendMessage", Map.of("session_channel", "7001", "sender_id", user, "content", "first"));
            events.event("Event.RefreshToken", Map.of("token", token(user, Instant.now().plusSeconds(3600))));
            events.awaitName("Event.RefreshToken");
            List<String> names = events.allReceived().stream().map(m -> m.path("name").asText()).toList();
            assertThat(names).containsSubsequence("Event.SendMessage", "Event.RefreshToken");
        }
    }

    private static String chatOfEveryDialect(String prefix) {
        return node.createChat(prefix + "events", "group", DIALECTS.stream().filter(d -> !d.equals("events"))
                .map(d -> prefix + d).toArray(String[]::new));
    }

    private static String token(String user, Instant expiry) {
        return JWT.create().withSubject(user).withExpiresAt(expiry).sign(Algorithm.HMAC256(TestNode.SECRET));
    }

    private static String serviceToken(String user, Instant expiry) {
        return JWT.create().withSubject(user).withClaim("role", "service").withExpiresAt(expiry)
                .sign(Algorithm.HMAC256(TestNode.SECRET));
    }

    /** The dialect's refresh frame. */
    private static String refresh(String dialect, String token) {
        String t = "\"" + token + "\"";
        return switch (dialect) {
            case "events" -> "{\"name\":\"Event.RefreshToken\",\"args\":{\"token\":" + t + "}}";
            case "typed" -> "{\"type\":\"refresh\",\"content\":{\"token\":" + t + "}}";
            case "actions" -> "{\"type\":\"refresh\",\"request_id\":\"r1\",\"token\":" + t + "}";
            case "pair" -> "{\"sessionId\":" + t + "}";
            default -> "{\"type\":\"refresh\",\"token\":" + t + "}";
        };
    }

    private static boolean isRefreshed(String dialect, JsonNode m) {
        return switch (dialect) {
            case "events" -> m.path("name").asText().equals("Event.RefreshToken") && m.path("ok").asBoolean();
            case "typed" -> m.path("type").asText().equals("refresh");
            case "actions" -> m.path("type").asText().equals("refresh") && m.path("ok").asBoolean();
            case "pair" -> m.path("code").asInt() == 200 && m.has("expires_at");
            default -> m.path("type").asText().equals("refresh");
        };
    }

    private static Instant expiresAt(String dialect, JsonNode refreshed) {
        return switch (dialect) {
            case "events" -> Instant.parse(refreshed.at("/result/expires_at").asText());
            case "typed" -> Instant.parse(refreshed.at("/content/expires_at").asText());
            case "actions" -> Instant.parse(refreshed.at("/data/expires_at").asText());
            case "pair" -> Instant.parse(refreshed.path("expires_at").asText());
            default -> Instant.ofEpochSecond(refreshed.path("expires_at").asLong()); // feed: Unix seconds
        };
    }

    /** The error code of a refresh refused in the dialect's format, else 0. */
    private static int errorCode(String dialect, JsonNode m) {
        return switch (dialect) {
            case "events" -> m.path("name").asText().equals("Event.RefreshToken") && !m.path("ok").asBoolean(true)
                    ? m.at("/error/code").asInt() : 0;
            case "typed" -> m.path("type").asText().equals("error") && m.at("/content/request_type").asText().equals("refresh")
                    ? m.at("/content/code").asInt() : 0;
            case "actions" -> m.path("type").asText().equals("refresh") && !m.path("ok").asBoolean(true)
                    ? m.at("/error/code").asInt() : 0;
            case "pair" -> m.path("code").asInt() != 200 ? m.path("code").asInt() : 0;
            default -> m.path("type").asText().equals("error") ? m.path("code").asInt() : 0;
        };
    }

    /** One request answered on the socket: it is alive and acting as its user. */
    private static void roundTrip(String dialect, WsClient socket, String user, String token, String chat) {
        switch (dialect) {
            case "events" -> {
                socket.event("Event.GetConversationList", Map.of("user_id", user));
                assertThat(socket.awaitName("Event.GetConversationList").path("ok").asBoolean()).isTrue();
            }
            case "typed" -> {
                socket.json(Map.of("type", "sync", "content", Map.of("chat_type", "project", "chat_id", chat)));
                socket.awaitType("sync");
            }
            case "actions" -> {
                socket.json(Map.of("type", "list_chats"));
                assertThat(socket.await(m -> m.path("type").asText().equals("list_chats")).path("ok").asBoolean()).isTrue();
            }
            case "pair" -> {
                socket.json(Map.of("sessionId", token, "message", "still here (pair)"));
                socket.await(m -> m.path("message").asText().equals("still here (pair)"));
            }
            default -> {
                socket.json(Map.of("type", "update", "message", List.of(Map.of("type", "message", "text", "still here (feed)"))));
                socket.await(m -> m.toString().contains("still here (feed)"));
            }
        }
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = java.time.Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
