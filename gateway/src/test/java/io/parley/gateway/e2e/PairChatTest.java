package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static io.parley.gateway.config.Settings.HANDSHAKE_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** Dialect {@code pair} (seed 000) over real sockets: authentication inside frames, no sessionId leak. */
class PairChatTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(HANDSHAKE_TIMEOUT, Duration.ofSeconds(2)));

    @Test
    void ownerAndSitterChatAfterABooking() {
        String booking = node.createChat("201", "booking", "202");
        String ownerToken = TestNode.token("201");
        try (WsClient owner = node.connectPair(booking); WsClient sitter = node.connectPairAs(booking, "202")) {
            // Seed 000 frame shape: the hello may carry the first message.
            owner.json(Map.of("sessionId", ownerToken, "message", "Здравствуйте, возьмете мою собачку?",
                    "timestamp", "2024-11-18T14:25:00Z"));
            JsonNode ack = owner.await(m -> m.has("messageId"));
            JsonNode got = sitter.await(m -> m.has("messageId"));
            assertThat(got.path("message").asText()).isEqualTo("Здравствуйте, возьмете мою собачку?");
            assertThat(got.path("senderId").asLong()).isEqualTo(201);
            assertThat(got.path("messageId").asLong()).isEqualTo(ack.path("messageId").asLong());
            assertThat(got.has("sessionId")).isFalse();
            assertThat(got.toString()).doesNotContain(ownerToken);

            sitter.json(Map.of("sessionId", TestNode.token("202"), "message", "Возьму"));
            assertThat(sitter.await(m -> m.has("messageId") || m.has("code")).path("senderId").asLong()).isEqualTo(202);
            assertThat(owner.await(m -> m.has("messageId") && m.path("senderId").asLong() == 202)
                    .path("message").asText()).isEqualTo("Возьму");

            // Another sessionId is a token refresh, which must keep the user: nothing is posted.
            owner.json(Map.of("sessionId", TestNode.token("202"), "message", "as someone else"));
            assertThat(owner.await(m -> m.path("code").asInt() == 403).path("message").asText())
                    .contains("user '202'");
            assertThat(sitter.receivesNothing(m -> m.toString().contains("as someone else"), Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void nothingBeforeAValidHello() {
        String booking = node.createChat("211", "booking", "212");
        try (WsClient early = node.connectPair(booking); WsClient other = node.connectPairAs(booking, "212")) {
            early.json(Map.of("message", "no session"));
            assertThat(early.await(m -> m.has("code")).path("code").asInt()).isEqualTo(401);
            early.json(Map.of("sessionId", "not-a-jwt"));
            JsonNode bad = early.await(m -> m.has("code"));
            assertThat(bad.path("code").asInt()).isEqualTo(401);
            assertThat(bad.size()).isEqualTo(2); // ErrorSchema {code, message}
            early.send("{broken");
            assertThat(early.await(m -> m.has("code")).path("code").asInt()).isEqualTo(400);

            other.json(Map.of("sessionId", TestNode.token("212"), "message", "anyone there?"));
            other.await(m -> m.has("messageId"));
            assertThat(early.receivesNothing(m -> m.has("messageId"), Duration.ofMillis(300))).isTrue();

            early.json(Map.of("sessionId", TestNode.token("211")));
            assertThat(early.await(m -> m.has("code")).path("code").asInt()).isEqualTo(200);
        }
    }

    @Test
    void outsidersAndUnknownChatsAreRefusedInFrames() {
        String booking = node.createChat("221", "booking", "222");
        try (WsClient outsider = node.connectPair(booking); WsClient lost = node.connectPair("no-such-booking")) {
            outsider.json(Map.of("sessionId", TestNode.token("229")));
            assertThat(outsider.await(m -> m.has("code")).path("code").asInt()).isEqualTo(403);
            lost.json(Map.of("sessionId", TestNode.token("221")));
            assertThat(lost.await(m -> m.has("code")).path("code").asInt()).isEqualTo(404);
            assertThat(outsider.isOpen()).isTrue();
        }
    }

    @Test
    void silentSocketsAreClosedAfterTheHelloDeadline() {
        try (WsClient silent = node.connectPair("whatever")) {
            assertThat(silent.awaitClose()).isEqualTo(1008);
        }
    }
}
