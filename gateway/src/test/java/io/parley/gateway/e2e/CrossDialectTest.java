package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five users, one per dialect, in one group chat: each sees the others' messages in its own
 * format and in the same order; reads, deletions and typing reach the dialects that have a frame
 * for them.
 */
class CrossDialectTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    /** One member: its socket, how to send a text, and how to recognise and read a delivered message. */
    private record Member(String user, WsClient socket, Function<String, Object> frame, Predicate<JsonNode> isMessage,
                          Function<JsonNode, String> text) {
    }

    @Test
    void fiveDialectsOneChatOneOrder() throws Exception {
        String chat = node.createChat("x-events", "group", "x-typed", "x-actions", "x-pair", "x-feed");
        List<Member> members = new ArrayList<>();
        try {
            members.add(new Member("x-events", node.connectEvents("x-events"),
                    text -> Map.of("name", "Event.SendMessage", "args",
                            Map.of("session_channel", chat, "sender_id", "x-events", "content", text)),
                    m -> m.path("name").asText().equals("Event.ReceiveMessage"),
                    m -> m.at("/result/message/content").asText()));
            members.add(new Member("x-typed", node.connectTyped("x-typed"),
                    text -> Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat, "message", text)),
                    m -> m.path("type").asText().equals("new_message") && !m.at("/content/sender_id").asText().equals("x-typed"),
                    m -> m.at("/content/message").asText()));
            members.add(new Member("x-actions", node.connectActions("x-actions"),
                    text -> Map.of("type", "send_message", "chat_id", chat, "text", text),
                    m -> m.path("type").asText().equals("new_message"),
                    m -> m.at("/data/message/text").asText()));
            members.add(new Member("x-pair", node.connectPairAs(chat, "x-pair"),
                    text -> Map.of("sessionId", TestNode.token("x-pair"), "message", text),
                    m -> m.has("messageId") && !m.path("senderId").asText().equals("x-pair"),
                    m -> m.path("message").asText()));
            WsClient feed = node.connectFeed("x-feed", chat, false);
            feed.awaitType("update"); // the (empty) history comes first
            members.add(new Member("x-feed", feed,
                    text -> Map.of("type", "update", "message", List.of(Map.of("type", "message", "text", text))),
                    m -> m.path("type").asText().equals("update") && !m.at("/message/0/sender").asText().equals("x-feed"),
                    m -> m.at("/message/0/text").asText()));

            List<String> sent = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Member sender : members) {
                    String text = "from " + sender.user() + " #" + round;
                    sender.socket().json(sender.frame().apply(text));
                    sent.add(text);
                }
            }
            Map<String, List<String>> seen = new LinkedHashMap<>();
            for (Member reader : members) {
                List<String> texts = new ArrayList<>();
                long others = sent.stream().filter(t -> !t.startsWith("from " + reader.user() + " ")).count();
                for (int i = 0; i < others; i++) {
                    texts.add(reader.text().apply(reader.socket().await(reader.isMessage())));
                }
                seen.put(reader.user(), texts);
            }
            // Everyone saw everyone else's messages, and all in one order (the chat's sequence).
            List<String> order = historyOrder(chat);
            assertThat(order).containsExactlyInAnyOrderElementsOf(sent);
            for (Member reader : members) {
                assertThat(seen.get(reader.user())).as(reader.user())
                        .isEqualTo(order.stream().filter(t -> !t.startsWith("from " + reader.user() + " ")).toList());
            }
        } finally {
            members.forEach(m -> m.socket().close());
        }
    }

    /** The chat's one order: its history, by sequence (REST). */
    private static List<String> historyOrder(String chat) {
        try {
            JsonNode page = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=200", "x-events", null).body());
            List<String> texts = new ArrayList<>();
            page.path("messages").forEach(m -> texts.add(m.path("text").asText()));
            return texts;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void readsDeletionsAndTypingCrossDialects() {
        String chat = node.createChat("y-typed", "group", "y-events", "y-actions");
        try (WsClient typed = node.connectTyped("y-typed"); WsClient events = node.connectEvents("y-events");
             WsClient actions = node.connectActions("y-actions")) {
            typed.json(Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat, "message", "hi all")));
            long id = typed.awaitType("new_message").at("/content/message_id").asLong();
            events.awaitName("Event.ReceiveMessage");
            actions.awaitType("new_message");

            events.event("Event.ReadMessage", Map.of("session_channel", chat, "executor_id", "y-events", "message_id", id));
            assertThat(typed.awaitType("message_read").at("/content/user_id").asText()).isEqualTo("y-events");
            assertThat(actions.awaitType("message_read").at("/data/message_id").asLong()).isEqualTo(id);

            typed.json(Map.of("type", "user_typing", "content", Map.of("chat_type", "project", "chat_id", chat)));
            assertThat(actions.awaitType("user_typing").at("/data/user_id").asText()).isEqualTo("y-typed");

            typed.json(Map.of("type", "delete_message", "content", Map.of("chat_type", "project", "chat_id", chat, "message_id", id)));
            assertThat(events.awaitName("Event.MessageChanged").at("/result/message/deleted").asBoolean()).isTrue();
            assertThat(actions.awaitType("message_updated").at("/data/message/deleted").asBoolean()).isTrue();
        }
    }
}
