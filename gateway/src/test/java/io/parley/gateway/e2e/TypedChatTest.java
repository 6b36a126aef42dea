package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Dialect {@code typed} (seed 004) over real sockets: every client type, every broadcast, the alias, errors. */
class TypedChatTest {
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static Map<String, Object> content(String chatType, String chatId, Object... more) {
        Map<String, Object> content = new java.util.LinkedHashMap<>();
        content.put("chat_type", chatType);
        content.put("chat_id", chatId);
        for (int i = 0; i < more.length; i += 2) {
            content.put((String) more[i], more[i + 1]);
        }
        return content;
    }

    private static Map<String, Object> frame(String type, Map<String, Object> content) {
        return Map.of("type", type, "content", content);
    }

    @Test
    void directChatIsCreatedOnFirstUseAndEveryEventReachesTheOtherSide() {
        try (WsClient one = node.connectTyped("101"); WsClient two = node.connectTyped("102")) {
            // "102_101" is the same chat as "101_102" (order-insensitive), created on first use.
            one.json(frame("new_message", content("direct", "102_101", "message", "hello", "reply_to", null)));
            JsonNode ack = one.awaitType("new_message");
            assertThat(ack.at("/content/chat_id").asText()).isEqualTo("101_102");
            long first = ack.at("/content/message_id").asLong();
            JsonNode got = two.awaitType("new_message");
            assertThat(got.at("/content/message").asText()).isEqualTo("hello");
            assertThat(got.at("/content/sender_id").asLong()).isEqualTo(101);
            assertThat(got.at("/content/chat_type").asText()).isEqualTo("direct");
            assertThat(got.at("/content/message_id").asLong()).isEqualTo(first);

            two.json(frame("new_message", content("direct", "101_102", "message", "hi back", "reply_to", first)));
            assertThat(one.awaitType("new_message").at("/content/reply_to").asLong()).isEqualTo(first);

            // The seed's examples say "typing": the alias works like user_typing.
            two.json(frame("typing", content("direct", "101_102")));
            assertThat(one.awaitType("user_typing").at("/content/user_id").asLong()).isEqualTo(102);
            two.json(frame("user_typing", content("direct", "101_102")));
            assertThat(one.awaitType("user_typing").at("/content/chat_id").asText()).isEqualTo("101_102");

            two.json(frame("message_read", content("direct", "101_102", "message_id", first)));
            JsonNode read = one.awaitType("message_read");
            assertThat(read.at("/content/message_id").asLong()).isEqualTo(first);
            assertThat(read.at("/content/user_id").asLong()).isEqualTo(102);

            one.json(frame("edit_message", content("direct", "101_102", "message_id", first, "message", "hello!")));
            assertThat(one.awaitType("edit_message").at("/content/message").asText()).isEqualTo("hello!");
            assertThat(two.awaitType("edit_message").at("/content/message").asText()).isEqualTo("hello!");

            one.json(frame("delete_message", content("direct", "101_102", "message_id", first)));
            assertThat(one.awaitType("delete_message").at("/content/message_id").asLong()).isEqualTo(first);
            assertThat(two.awaitType("delete_message").at("/content/message_id").asLong()).isEqualTo(first);
        }
    }

    @Test
    void projectChatsHaveExplicitMembers() {
        String project = node.createChat("111", "project", "112");
        try (WsClient a = node.connectTyped("111"); WsClient b = node.connectTyped("112"); WsClient outsider = node.connectTyped("113")) {
            a.json(frame("new_message", content("project", project, "message", "status?")));
            JsonNode got = b.awaitType("new_message");
            assertThat(got.at("/content/chat_type").asText()).isEqualTo("project");
            assertThat(got.at("/content/chat_id").asText()).isEqualTo(project);

            outsider.json(frame("new_message", content("project", project, "message", "let me in")));
            JsonNode error = outsider.awaitType("error");
            assertThat(error.at("/content/code").asInt()).isEqualTo(403);
            assertThat(error.at("/content/request_type").asText()).isEqualTo("new_message");
            assertThat(b.receivesNothing(m -> m.toString().contains("let me in"), Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void presenceGoesToUsersWhoShareAChat() {
        node.createChat("121", "direct", "122");
        try (WsClient watcher = node.connectTyped("121"); WsClient stranger = node.connectTyped("129")) {
            WsClient friend = node.connectTyped("122");
            assertThat(watcher.await(m -> m.path("type").asText().equals("user_online")
                    && m.at("/content/user_id").asLong() == 122).path("content").size()).isEqualTo(1);
            friend.json(Map.of("type", "set_offline", "content", Map.of()));
            watcher.await(m -> m.path("type").asText().equals("user_offline") && m.at("/content/user_id").asLong() == 122);
            friend.json(Map.of("type", "set_online", "content", Map.of()));
            watcher.await(m -> m.path("type").asText().equals("user_online") && m.at("/content/user_id").asLong() == 122);
            friend.close();
            watcher.await(m -> m.path("type").asText().equals("user_offline") && m.at("/content/user_id").asLong() == 122);
            assertThat(stranger.receivesNothing(m -> m.path("type").asText().startsWith("user_o"), Duration.ofMillis(300)))
                    .isTrue();
        }
    }

    @Test
    void everyErrorShapeAndTheSocketSurvives() {
        try (WsClient c = node.connectTyped("131")) {
            c.send("{not json");
            assertThat(c.awaitType("error").at("/content/code").asInt()).isEqualTo(400);
            c.json(Map.of("type", "shout", "content", Map.of()));
            assertThat(c.awaitType("error").at("/content/message").asText()).contains("supported types");
            c.json(frame("new_message", content("direct", "not-a-pair", "message", "x")));
            assertThat(c.awaitType("error").at("/content/message").asText()).contains("content.chat_id");
            c.json(frame("new_message", content("direct", "998_999", "message", "x")));
            assertThat(c.awaitType("error").at("/content/code").asInt()).isEqualTo(403);
            c.json(frame("new_message", content("project", "no-such-chat", "message", "x")));
            assertThat(c.awaitType("error").at("/content/code").asInt()).isEqualTo(404);
            c.json(frame("delete_message", content("direct", "131_132", "message_id", 12345)));
            assertThat(c.awaitType("error").at("/content/code").asInt()).isEqualTo(404);
            c.json(frame("new_message", content("direct", "131_132", "message", "x".repeat(5000))));
            assertThat(c.awaitType("error").at("/content/code").asInt()).isEqualTo(413);
            c.json(frame("new_message", content("direct", "131_132", "message", "still here")));
            assertThat(c.awaitType("new_message").at("/content/message").asText()).isEqualTo("still here");
        }
    }

    @Test
    void credentialsBeforeTheUpgrade() {
        assertThat(WsClient.refusedStatus(node.ws("/ws/chats/"))).isEqualTo(401);
        assertThat(WsClient.refusedStatus(node.ws("/ws/chats/"), Map.of("Authorization", "Bearer nope"))).isEqualTo(401);
        // Browsers cannot set headers: the access_token subprotocol pair works too.
        try (WsClient browser = WsClient.connect(node.ws("/ws/chats/"), "access_token", TestNode.token("141"))) {
            assertThat(browser.subprotocol()).isEqualTo("access_token");
        }
    }
}
