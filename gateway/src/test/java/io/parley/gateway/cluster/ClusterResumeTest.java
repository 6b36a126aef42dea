package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resume in every dialect, from another node: a member of each dialect sees a message, drops its
 * socket, misses messages sent meanwhile through two other dialects on two other nodes, then
 * connects to another node and asks for what came after the last message it saw. It gets exactly
 * the missed ones, once each, in the chat's order; a resume longer than a page says so, and
 * asking again after its last message completes it.
 */
class ClusterResumeTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(3,
            b -> b.set(MAX_MESSAGES_PER_SECOND, 10_000).set(MESSAGE_BURST, 10_000));

    /** What one dialect's resume answered: texts oldest first, the last message's id, has_more. */
    private record Resumed(List<String> texts, long lastId, boolean more) {
    }

    @Test
    void everyDialectResumesOnAnotherNodeWithExactlyWhatItMissed() {
        TestNode first = cluster.node(0), typedNode = cluster.node(1), eventsNode = cluster.node(2);
        for (String dialect : List.of("events", "typed", "actions", "pair", "feed")) {
            String user = "resume-" + dialect;
            String chat = first.createChat("resume-writer", "group", user, "resume-writer2");
            long seen;
            try (WsClient member = first.connect(dialect, user, chat); WsClient writer = typedNode.connectTyped("resume-writer")) {
                send(writer, chat, "seen by all");
                seen = lastSeenId(dialect, member);
            }
            List<String> missed = new ArrayList<>();
            try (WsClient writer = typedNode.connectTyped("resume-writer");
                 WsClient writer2 = eventsNode.connectEvents("resume-writer2")) {
                for (int i = 0; i < 3; i++) {
                    missed.add("typed " + i);
                    send(writer, chat, "typed " + i);
                    missed.add("events " + i);
                    writer2.event("Event.SendMessage", Map.of("session_channel", chat, "sender_id", "resume-writer2",
                            "content", "events " + i));
                    writer2.awaitName("Event.SendMessage");
                }
            }
            Resumed resumed = resume(typedNode, dialect, user, chat, seen);
            assertThat(resumed.texts()).as(dialect).containsExactlyElementsOf(missed);
            assertThat(resumed.more()).as(dialect).isFalse();
            Resumed nothingNew = resume(eventsNode, dialect, user, chat, resumed.lastId());
            assertThat(nothingNew.texts()).as(dialect + ": resumed from the end").isEmpty();
            assertThat(nothingNew.more()).isFalse();
        }
    }

    /** More missed than a page (200): the first answer says so; the second, after its last, has the rest. */
    @Test
    void aResumeLongerThanAPageSaysSoAndTheNextOneCompletesIt() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        String chat = a.createChat("long-writer", "group", "long-pair", "long-feed");
        List<String> sent = new ArrayList<>();
        long before;
        try (WsClient writer = a.connectTyped("long-writer")) {
            before = send(writer, chat, "before");
            for (int i = 0; i < 205; i++) {
                sent.add("m" + i);
                send(writer, chat, "m" + i);
            }
        }
        for (String dialect : List.of("pair", "feed")) {
            String user = "long-" + dialect;
            Resumed page = resume(b, dialect, user, chat, before);
            assertThat(page.more()).as(dialect).isTrue();
            assertThat(page.texts()).as(dialect).containsExactlyElementsOf(sent.subList(0, 200));
            Resumed rest = resume(a, dialect, user, chat, page.lastId());
            assertThat(rest.more()).as(dialect).isFalse();
            assertThat(rest.texts()).as(dialect).containsExactlyElementsOf(sent.subList(200, 205));
        }
    }

    /** The id of the message the member got live, as its dialect shows it. */
    private static long lastSeenId(String dialect, WsClient member) {
        return switch (dialect) {
            case "events" -> member.awaitName("Event.ReceiveMessage").at("/result/message/id").asLong();
            case "typed" -> member.awaitType("new_message").at("/content/message_id").asLong();
            case "actions" -> member.awaitType("new_message").at("/data/message/id").asLong();
            case "pair" -> member.await(m -> m.has("messageId")).path("messageId").asLong();
            case "feed" -> member.awaitType("update").path("eventId").asLong();
            default -> throw new IllegalArgumentException(dialect);
        };
    }

    /** Connects to {@code node} and resumes after {@code afterId} the dialect's own way. */
    private static Resumed resume(TestNode node, String dialect, String user, String chat, long afterId) {
        List<String> texts = new ArrayList<>();
        switch (dialect) {
            case "events" -> {
                try (WsClient c = node.connectEvents(user)) {
                    c.event("Event.GetMessageList", Map.of("session_channel", chat, "executor_id", user, "after_id", afterId));
                    JsonNode result = c.awaitName("Event.GetMessageList").path("result");
                    result.path("Messages").forEach(m -> texts.add(m.path("content").asText()));
                    return new Resumed(texts, lastId(result.path("Messages"), "id", afterId), result.path("has_more").asBoolean());
                }
            }
            case "typed" -> {
                try (WsClient c = node.connectTyped(user)) {
                    c.json(Map.of("type", "sync", "content", Map.of("chat_type", "project", "chat_id", chat, "after", afterId)));
                    JsonNode content = c.awaitType("sync").path("content");
                    content.path("messages").forEach(m -> texts.add(m.path("message").asText()));
                    return new Resumed(texts, lastId(content.path("messages"), "message_id", afterId),
                            content.path("has_more").asBoolean());
                }
            }
            case "actions" -> {
                try (WsClient c = node.connectActions(user)) {
                    c.json(Map.of("type", "get_messages", "chat_id", chat, "after", afterId));
                    JsonNode data = c.awaitType("get_messages").path("data");
                    data.path("messages").forEach(m -> texts.add(m.path("text").asText()));
                    return new Resumed(texts, lastId(data.path("messages"), "id", afterId), data.path("has_more").asBoolean());
                }
            }
            case "pair" -> {
                try (WsClient c = node.connectPair(chat)) {
                    c.json(Map.of("sessionId", TestNode.token(user), "lastMessageId", afterId));
                    JsonNode answer = c.await(m -> m.path("code").asInt() == 200);
                    answer.path("messages").forEach(m -> texts.add(m.path("message").asText()));
                    return new Resumed(texts, lastId(answer.path("messages"), "messageId", afterId),
                            answer.path("has_more").asBoolean());
                }
            }
            case "feed" -> {
                try (WsClient c = WsClient.connect(node.ws("/v1/chats/" + chat + "?after_event_id=" + afterId),
                        TestNode.bearer(user))) {
                    JsonNode update = c.awaitType("update");
                    update.path("message").forEach(m -> texts.add(m.path("text").asText()));
                    return new Resumed(texts, update.path("eventId").asLong(), update.path("has_more").asBoolean());
                }
            }
            default -> throw new IllegalArgumentException(dialect);
        }
    }

    private static long lastId(JsonNode messages, String field, long otherwise) {
        return messages.isEmpty() ? otherwise : messages.get(messages.size() - 1).path(field).asLong();
    }

    /** Sends through {@code typed}; the message's id once committed. */
    private static long send(WsClient writer, String chat, String text) {
        writer.json(Map.of("type", "new_message", "content", Map.of("chat_type", "project", "chat_id", chat, "message", text)));
        return writer.await(m -> "new_message".equals(m.path("type").asText())
                && text.equals(m.at("/content/message").asText())).at("/content/message_id").asLong();
    }
}
