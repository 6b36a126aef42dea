package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.parley.gateway.config.Settings.FEED_HEARTBEAT_INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;

/** Dialect {@code feed} (seed 001) over real sockets: sequence, heartbeat, history update, chat events. */
class FeedChatTest {
    private static final AtomicLong APPLICATIONS = new AtomicLong(5000);
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(FEED_HEARTBEAT_INTERVAL, Duration.ofMillis(200)));

    private static Map<String, Object> update(String text) {
        return Map.of("type", "update", "message", List.of(Map.of("type", "message", "text", text)));
    }

    /** The customer's support chat (as events' AddConversation would open it), over REST. */
    private static String supportChat(String customer) throws Exception {
        long app = APPLICATIONS.incrementAndGet();
        assertThat(node.rest("POST", "/api/v1/chats", customer, "{\"kind\":\"support\",\"application_id\":" + app + "}")
                .statusCode()).isEqualTo(201);
        return Long.toString(app);
    }

    @Test
    void historyFirstThenUpdatesAndChatEventsNumberedFromZero() throws Exception {
        String chat = supportChat("301");
        try (WsClient before = node.connectFeed("301", chat, false)) {
            before.awaitType("update");
            before.json(update("Hello world"));
            before.await(m -> m.path("message").toString().contains("Hello world"));
        }
        try (WsClient customer = node.connectFeed("301", chat, false)) {
            JsonNode first = customer.awaitType("update");
            assertThat(first.path("socket_sequence").asLong()).isZero();
            assertThat(first.at("/message/0/type").asText()).isEqualTo("message");
            assertThat(first.at("/message/0/text").asText()).isEqualTo("Hello world");
            assertThat(first.at("/message/0/sender").asText()).isEqualTo("301");
            assertThat(first.path("timestampms").asLong() / 1000).isEqualTo(first.path("timestamp").asLong());

            // A support agent opens the chat's feed: a system event for the customer.
            try (WsClient agent = WsClient.connect(node.ws("/v1/chats/" + chat),
                    Map.of("Authorization", "Bearer " + TestNode.staffToken("399")))) {
                JsonNode joined = customer.awaitType("update");
                assertThat(joined.path("socket_sequence").asLong()).isEqualTo(1);
                assertThat(joined.at("/message/0/type").asText()).isEqualTo("chat_event");
                assertThat(joined.at("/message/0/text").asText()).contains("support agent 399 joined");
                assertThat(agent.awaitType("update").path("socket_sequence").asLong()).isZero();

                agent.json(update("How can I help?"));
                JsonNode fromAgent = customer.await(m -> m.path("message").toString().contains("How can I help?"));
                assertThat(fromAgent.path("socket_sequence").asLong()).isEqualTo(2);
                assertThat(fromAgent.at("/message/0/sender").asText()).isEqualTo("399");
                assertThat(fromAgent.path("eventId").asLong()).isPositive();

                customer.json(update("My order is late"));
                JsonNode own = customer.await(m -> m.path("message").toString().contains("My order is late"));
                assertThat(own.path("socket_sequence").asLong()).isEqualTo(3);
            }
        }
    }

    @Test
    void heartbeatsEveryIntervalContinueTheSequence() throws Exception {
        String chat = supportChat("311");
        try (WsClient feed = node.connectFeed("311", chat, true)) {
            assertThat(feed.awaitType("update").path("socket_sequence").asLong()).isZero();
            JsonNode beat1 = feed.awaitType("heartbeat");
            JsonNode beat2 = feed.awaitType("heartbeat");
            assertThat(beat1.path("socket_sequence").asLong()).isEqualTo(1);
            assertThat(beat2.path("socket_sequence").asLong()).isEqualTo(2);
            assertThat(beat1.size()).isEqualTo(2);
        }
        try (WsClient quiet = node.connectFeed("311", chat, false)) {
            quiet.awaitType("update");
            assertThat(quiet.receivesNothing(m -> m.path("type").asText().equals("heartbeat"), Duration.ofMillis(600))).isTrue();
        }
    }

    @Test
    void errorsAreNumberedFramesAndTheSocketSurvives() throws Exception {
        String chat = supportChat("321");
        try (WsClient feed = node.connectFeed("321", chat, false)) {
            feed.awaitType("update");
            feed.send("{oops");
            JsonNode error = feed.awaitType("error");
            assertThat(error.path("code").asInt()).isEqualTo(400);
            assertThat(error.path("socket_sequence").asLong()).isEqualTo(1);
            feed.json(Map.of("type", "update", "message", List.of()));
            assertThat(feed.awaitType("error").path("message").asText()).contains("exactly one");
            feed.json(update("x".repeat(5000)));
            assertThat(feed.awaitType("error").path("code").asInt()).isEqualTo(413);
            feed.json(update("fine"));
            assertThat(feed.await(m -> m.path("message").toString().contains("fine")).path("socket_sequence").asLong())
                    .isEqualTo(4);
        }
    }

    @Test
    void theChatIsCheckedBeforeTheUpgrade() throws Exception {
        String chat = supportChat("331");
        assertThat(WsClient.refusedStatus(node.ws("/v1/chats/" + chat), TestNode.bearer("332"))).isEqualTo(403);
        assertThat(WsClient.refusedStatus(node.ws("/v1/chats/nope"), TestNode.bearer("331"))).isEqualTo(404);
        assertThat(WsClient.refusedStatus(node.ws("/v1/chats/" + chat))).isEqualTo(401);
        assertThat(WsClient.refusedStatus(node.ws("/v1/chats/" + chat + "?heartbeat=yes"), TestNode.bearer("331")))
                .isEqualTo(400);
    }
}
