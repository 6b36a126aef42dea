package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What was acknowledged before a restart is in history after it (embedded store on disk). */
class RestartTest {

    @Test
    void historyReadCursorsAndConversationsSurviveARestart() {
        try (TestNode node = TestNode.start()) {
            long firstId;
            try (WsClient customer = node.connectEvents("r1")) {
                customer.event("Event.AddConversation", Map.of("user_id", "r1", "application_id", 777));
                customer.awaitName("Event.AddConversation");
                customer.event("Event.SendMessage", Map.of("session_channel", "777", "sender_id", "r1", "content", "before restart 1"));
                firstId = customer.awaitName("Event.SendMessage").at("/result/message/id").asLong();
                customer.event("Event.SendMessage", Map.of("session_channel", "777", "sender_id", "r1", "content", "before restart 2"));
                customer.awaitName("Event.SendMessage");
            }

            node.restart();

            try (WsClient customer = node.connectEvents("r1")) {
                customer.event("Event.GetConversationList", Map.of("user_id", "r1"));
                assertThat(customer.awaitName("Event.GetConversationList").at("/result/conversations/0/session_channel").asText())
                        .isEqualTo("777");
                customer.event("Event.GetMessageList", Map.of("session_channel", "777", "executor_id", "r1"));
                JsonNode messages = customer.awaitName("Event.GetMessageList").at("/result/Messages");
                assertThat(messages).hasSize(2);
                assertThat(messages.get(0).path("id").asLong()).isEqualTo(firstId);
                assertThat(messages.get(1).path("content").asText()).isEqualTo("before restart 2");

                // New messages continue the chat's sequence after the restart.
                customer.event("Event.SendMessage", Map.of("session_channel", "777", "sender_id", "r1", "content", "after restart"));
                assertThat(customer.awaitName("Event.SendMessage").at("/result/message/id").asLong()).isGreaterThan(firstId);
                customer.event("Event.GetMessageList", Map.of("session_channel", "777", "executor_id", "r1"));
                assertThat(customer.awaitName("Event.GetMessageList").at("/result/Messages")).hasSize(3);
            }
        }
    }
}
