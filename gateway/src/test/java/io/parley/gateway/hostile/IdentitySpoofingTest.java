package io.parley.gateway.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every identity field of the {@code events} dialect naming someone else is 403 and writes
 * nothing: no message, no read cursor, no conversation. (The sid of the URL: HandshakeTest.)
 */
class IdentitySpoofingTest {
    private static final String CHAT = "660001";
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static JsonNode reply(WsClient c, String name, Map<String, Object> args) {
        c.event(name, args);
        return c.awaitName(name);
    }

    @Test
    void spoofedIdentitiesAre403AndNothingIsWritten() {
        try (WsClient victim = node.connectEvents("victim1"); WsClient mallory = node.connectEvents("mallory")) {
            assertThat(reply(victim, "Event.AddConversation", Map.of("user_id", "victim1", "application_id", Long.parseLong(CHAT)))
                    .path("ok").asBoolean()).isTrue();
            JsonNode posted = reply(victim, "Event.SendMessage", Map.of("session_channel", CHAT, "sender_id", "victim1", "content", "mine"));
            long messageId = posted.at("/result/message/id").asLong();

            // sender_id: as the victim, into the victim's chat and into one's own.
            assertThat(reply(mallory, "Event.SendMessage", Map.of("session_channel", CHAT, "sender_id", "victim1",
                    "content", "I am the victim")).at("/error/code").asInt()).isEqualTo(403);
            assertThat(reply(mallory, "Event.EditMessage", Map.of("session_channel", CHAT, "sender_id", "victim1",
                    "message_id", messageId, "content", "edited")).at("/error/code").asInt()).isEqualTo(403);
            assertThat(reply(mallory, "Event.DeleteMessage", Map.of("session_channel", CHAT, "sender_id", "victim1",
                    "message_id", messageId)).at("/error/code").asInt()).isEqualTo(403);
            // executor_id: reading or marking read as the victim.
            assertThat(reply(mallory, "Event.GetMessageList", Map.of("session_channel", CHAT, "executor_id", "victim1"))
                    .at("/error/code").asInt()).isEqualTo(403);
            assertThat(reply(mallory, "Event.ReadMessage", Map.of("session_channel", CHAT, "executor_id", "victim1",
                    "message_id", messageId)).at("/error/code").asInt()).isEqualTo(403);
            // user_id: listing, unread counts, opening conversations as the victim.
            assertThat(reply(mallory, "Event.GetConversationList", Map.of("user_id", "victim1"))
                    .at("/error/code").asInt()).isEqualTo(403);
            assertThat(reply(mallory, "Event.GetUnreadInfo", Map.of("user_id", "victim1"))
                    .at("/error/code").asInt()).isEqualTo(403);
            assertThat(reply(mallory, "Event.AddConversation", Map.of("user_id", "victim1", "application_id", 660002))
                    .at("/error/code").asInt()).isEqualTo(403);

            // Nothing was written: one message, unchanged; the victim's conversations are one.
            JsonNode page = reply(victim, "Event.GetMessageList", Map.of("session_channel", CHAT, "executor_id", "victim1"));
            assertThat(page.at("/result/Messages")).hasSize(1);
            assertThat(page.at("/result/Messages/0/content").asText()).isEqualTo("mine");
            assertThat(page.at("/result/Messages/0/status").asInt()).as("nobody read it").isZero();
            assertThat(reply(victim, "Event.GetConversationList", Map.of("user_id", "victim1"))
                    .at("/result/conversations")).hasSize(1);
            assertThat(reply(mallory, "Event.GetConversationList", Map.of("user_id", "mallory"))
                    .at("/result/conversations")).isEmpty();
        }
    }
}
