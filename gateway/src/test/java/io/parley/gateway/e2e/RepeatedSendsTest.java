package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.parley.gateway.config.Settings.DATA_DIR;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A send repeated with the same {@code client_message_id} (the client lost the acknowledgement and
 * tries again) is answered with the first one's message, in every dialect that sends: the chat
 * holds it once and the other members get it once. Also after a restart, and never across senders.
 */
class RepeatedSendsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How one dialect sends and what its acknowledgement looks like. */
    private record Dialect(String name, Function<Map<String, Object>, Object> frame, Predicate<JsonNode> isAck,
                           Function<JsonNode, Long> ackedId) {
    }

    /** {@code fields}: text, client_message_id, chat and user, as each dialect places them. */
    private static List<Dialect> dialects() {
        return List.of(
                new Dialect("events", f -> Map.of("name", "Event.SendMessage", "args",
                        withClientId(f, Map.of("session_channel", f.get("chat"), "sender_id", f.get("user"),
                                "content", f.get("text")))),
                        m -> m.path("name").asText().equals("Event.SendMessage"),
                        m -> m.at("/result/message/id").asLong()),
                new Dialect("typed", f -> Map.of("type", "new_message", "content",
                        withClientId(f, Map.of("chat_type", "project", "chat_id", f.get("chat"), "message", f.get("text")))),
                        m -> m.path("type").asText().equals("new_message")
                                && m.at("/content/sender_id").asText().equals("r-typed"),
                        m -> m.at("/content/message_id").asLong()),
                new Dialect("actions", f -> withClientId(f, Map.of("type", "send_message",
                        "chat_id", f.get("chat"), "text", f.get("text"))),
                        m -> m.path("type").asText().equals("send_message"),
                        m -> m.at("/data/message/id").asLong()),
                new Dialect("pair", f -> withClientId(f, Map.of("sessionId",
                        TestNode.token((String) f.get("user")), "message", f.get("text"))),
                        m -> m.has("messageId") && m.path("senderId").asText().equals("r-pair"),
                        m -> m.path("messageId").asLong()),
                new Dialect("feed", f -> withClientId(f, Map.of("type", "update", "message",
                        List.of(Map.of("type", "message", "text", f.get("text"))))),
                        m -> m.path("type").asText().equals("update") && m.at("/message/0/sender").asText().equals("r-feed")
                                && m.at("/message/0/type").asText().equals("message"),
                        m -> m.path("eventId").asLong()));
    }

    private static Map<String, Object> withClientId(Map<String, Object> fields, Map<String, Object> frame) {
        Map<String, Object> out = new HashMap<>(frame);
        if (fields.get("client_message_id") != null) {
            out.put("client_message_id", fields.get("client_message_id"));
        }
        return out;
    }

    @Test
    void everyDialectAnswersARepeatWithTheFirstMessageAndStoresItOnce() throws Exception {
        try (TestNode node = TestNode.start()) {
            for (Dialect dialect : dialects()) {
                String user = "r-" + dialect.name();
                String chat = node.createChat(user, "group", "r-listener");
                try (WsClient sender = node.connect(dialect.name(), user, chat);
                     WsClient listener = node.connectTyped("r-listener")) {
                    long first = send(sender, dialect, chat, user, "hello", "phone-1");
                    long repeat = send(sender, dialect, chat, user, "hello (sent again)", "phone-1");
                    long other = send(sender, dialect, chat, user, "next", "phone-2");
                    long plain = send(sender, dialect, chat, user, "no id", null);

                    assertThat(repeat).as(dialect.name()).isEqualTo(first);
                    assertThat(List.of(other, plain)).as(dialect.name()).doesNotContain(first).doesNotHaveDuplicates();
                    assertThat(history(node, chat, user)).as(dialect.name()).containsExactly("hello", "next", "no id");
                    List<String> pushed = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        pushed.add(listener.awaitType("new_message").at("/content/message").asText());
                    }
                    assertThat(pushed).as(dialect.name() + ": each once, in order").containsExactly("hello", "next", "no id");
                    assertThat(listener.receivesNothing(m -> m.path("type").asText().equals("new_message"),
                            Duration.ofMillis(200))).isTrue();
                }
            }
            assertThat(node.metric("parley_messages_repeated_total")).isEqualTo(5);
        }
    }

    @Test
    void aRepeatAfterARestartIsStillTheFirstMessage(@TempDir Path data) throws Exception {
        Dialect typed = dialects().get(1);
        String chat;
        long first;
        try (TestNode node = TestNode.start(b -> b.set(DATA_DIR, data))) {
            chat = node.createChat("r-typed", "group", "r-listener");
            try (WsClient sender = node.connect("typed", "r-typed", chat)) {
                first = send(sender, typed, chat, "r-typed", "before the restart", "k-1");
            }
        }
        try (TestNode node = TestNode.start(b -> b.set(DATA_DIR, data));
             WsClient sender = node.connect("typed", "r-typed", chat)) {
            assertThat(send(sender, typed, chat, "r-typed", "after it", "k-1")).isEqualTo(first);
            assertThat(history(node, chat, "r-typed")).containsExactly("before the restart");
        }
    }

    @Test
    void aBadClientIdIsRefusedInTheDialectsOwnFormat() {
        try (TestNode node = TestNode.start()) {
            String chat = node.createChat("r-actions", "group", "r-listener");
            try (WsClient actions = node.connectActions("r-actions"); WsClient events = node.connectEvents("r-actions")) {
                actions.json(Map.of("type", "send_message", "request_id", "x", "chat_id", chat, "text", "hi",
                        "client_message_id", "x".repeat(65)));
                JsonNode refused = actions.awaitType("send_message");
                assertThat(refused.path("ok").asBoolean()).isFalse();
                assertThat(refused.toString()).contains("client_message_id: expected a string of 1 to 64 characters");

                events.event("Event.SendMessage", Map.of("session_channel", chat, "sender_id", "r-actions",
                        "content", "hi", "client_message_id", 42));
                JsonNode wrongType = events.awaitName("Event.SendMessage");
                assertThat(wrongType.path("ok").asBoolean()).isFalse();
                assertThat(wrongType.toString()).contains("client_message_id");
            }
        }
    }

    private static long send(WsClient socket, Dialect dialect, String chat, String user, String text, String clientId) {
        Map<String, Object> fields = new HashMap<>(Map.of("chat", chat, "user", user, "text", text));
        fields.put("client_message_id", clientId);
        socket.json(dialect.frame().apply(fields));
        return dialect.ackedId().apply(socket.await(dialect.isAck()));
    }

    private static List<String> history(TestNode node, String chat, String user) throws Exception {
        JsonNode page = JSON.readTree(node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=50", user, null).body());
        List<String> texts = new ArrayList<>();
        page.path("messages").forEach(m -> texts.add(m.path("text").asText()));
        return texts;
    }
}
