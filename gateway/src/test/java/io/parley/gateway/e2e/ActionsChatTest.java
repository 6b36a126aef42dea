package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Dialect {@code actions} (seed 003) over real sockets: everything the report found missing now works. */
class ActionsChatTest {
    private static final String ALICE = "441f49e9-b6ba-4272-8f10-6b1e8dd8ecb8"; // the report's user id
    private static final String BOB = "5b2e0c7a-1d3f-4e8a-9b6c-2f4d6e8a0b1c";
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    @Test
    void firstChatFromNothing() {
        try (WsClient alice = node.connectActions(ALICE); WsClient bob = node.connectActions(BOB)) {
            alice.json(Map.of("type", "create_chat", "request_id", "c1", "members", List.of(BOB), "title", "Trip"));
            JsonNode created = alice.awaitType("create_chat");
            assertThat(created.path("ok").asBoolean()).isTrue();
            assertThat(created.path("request_id").asText()).isEqualTo("c1");
            String chatId = created.at("/data/chat/id").asText();
            assertThat(chatId).matches("[0-9a-f-]{36}");
            assertThat(created.at("/data/chat/title").asText()).isEqualTo("Trip");

            bob.json(Map.of("type", "list_chats", "request_id", 2));
            JsonNode list = bob.awaitType("list_chats");
            assertThat(list.path("request_id").asInt()).isEqualTo(2);
            assertThat(list.at("/data/chats/0/id").asText()).isEqualTo(chatId);

            alice.json(Map.of("type", "send_message", "request_id", "s1", "chat_id", chatId, "text", "Hi Bob"));
            JsonNode sent = alice.awaitType("send_message");
            assertThat(sent.at("/data/message/text").asText()).isEqualTo("Hi Bob");
            JsonNode pushed = bob.awaitType("new_message");
            assertThat(pushed.at("/data/message/chat_id").asText()).isEqualTo(chatId);
            assertThat(pushed.at("/data/message/sender_id").asText()).isEqualTo(ALICE);
            assertThat(pushed.at("/data/message/id").asLong()).isEqualTo(sent.at("/data/message/id").asLong());

            for (int i = 1; i <= 3; i++) {
                bob.json(Map.of("type", "send_message", "data", Map.of("chat_id", chatId, "text", "m" + i)));
                bob.awaitType("send_message");
            }
            alice.json(Map.of("type", "get_messages", "chat_id", chatId, "limit", 2));
            JsonNode page = alice.awaitType("get_messages").at("/data/messages");
            assertThat(page).hasSize(2);
            assertThat(page.get(0).path("text").asText()).isEqualTo("m2");
            alice.json(Map.of("type", "get_messages", "chat_id", chatId, "before", page.get(0).path("id").asLong()));
            JsonNode older = alice.awaitType("get_messages").at("/data/messages");
            assertThat(older).hasSize(2);
            assertThat(older.get(0).path("text").asText()).isEqualTo("Hi Bob");
        }
    }

    @Test
    void everyErrorShapeAndTheSocketSurvives() {
        try (WsClient alice = node.connectActions(ALICE)) {
            alice.json(Map.of("type", "subscribe", "request_id", "x"));
            JsonNode unknown = alice.awaitType("error");
            assertThat(unknown.path("request_id").asText()).isEqualTo("x");
            assertThat(unknown.at("/error/code").asInt()).isEqualTo(400);
            assertThat(unknown.at("/error/supported_types").toString())
                    .isEqualTo("[\"list_chats\",\"create_chat\",\"get_messages\",\"send_message\",\"refresh\"]");

            alice.json(Map.of("type", "send_message", "chat_id", "123", "text", "hi"));
            JsonNode notUuid = alice.awaitType("send_message");
            assertThat(notUuid.path("ok").asBoolean()).isFalse();
            assertThat(notUuid.at("/error/message").asText()).contains("UUID");

            alice.json(Map.of("type", "send_message", "chat_id", "00000000-0000-4000-8000-000000000000", "text", "hi"));
            assertThat(alice.awaitType("send_message").at("/error/code").asInt()).isEqualTo(404);

            String theirs = node.createChat(BOB, "group", "c0ffee00-0000-4000-8000-000000000001");
            alice.json(Map.of("type", "get_messages", "chat_id", theirs));
            assertThat(alice.awaitType("get_messages").at("/error/code").asInt()).isEqualTo(403);

            alice.json(Map.of("type", "create_chat", "members", List.of()));
            assertThat(alice.awaitType("create_chat").at("/error/message").asText()).contains("members");

            alice.send("[]");
            assertThat(alice.awaitType("error").at("/error/code").asInt()).isEqualTo(400);
            alice.json(Map.of("type", "list_chats"));
            assertThat(alice.awaitType("list_chats").path("ok").asBoolean()).isTrue();
        }
    }

    @Test
    void pathUserMustBeThePrincipal() {
        assertThat(WsClient.refusedStatus(node.ws("/api/v1/websocket/ws/" + BOB), TestNode.bearer(ALICE))).isEqualTo(403);
        assertThat(WsClient.refusedStatus(node.ws("/api/v1/websocket/ws/" + ALICE))).isEqualTo(401);
        assertThat(WsClient.refusedStatus(node.ws("/api/v1/websocket/ws/"), TestNode.bearer(ALICE))).isEqualTo(400);
    }
}
