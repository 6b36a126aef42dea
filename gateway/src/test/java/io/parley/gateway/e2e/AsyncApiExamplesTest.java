package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.gateway.support.AsyncApiDoc;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.parley.gateway.config.Settings.FEED_HEARTBEAT_INTERVAL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served AsyncAPI document matches what the server does: its client examples are sent as
 * they are (only ids that must exist are swapped for real ones) and what comes back validates
 * against the documented server messages.
 */
class AsyncApiExamplesTest {
    private static final String ACTIONS_USER = "441f49e9-b6ba-4272-8f10-6b1e8dd8ecb8";
    private static final String ACTIONS_PEER = "5b2e0c7a-1d3f-4e8a-9b6c-2f4d6e8a0b1c";
    private static TestNode node;
    private static AsyncApiDoc doc;

    @BeforeAll
    static void start() {
        node = TestNode.start(b -> b.set(FEED_HEARTBEAT_INTERVAL, Duration.ofMillis(200)));
        doc = AsyncApiDoc.served(node);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static void conforms(String messageKey, JsonNode frame) {
        assertThat(doc.violations(messageKey, frame)).as("%s: %s", messageKey, frame).isEmpty();
    }

    /** The frame is the documented example, but for the ids the server minted and the times. */
    private static void sameAsExample(String messageKey, String example, JsonNode frame) {
        assertThat(withoutMinted(frame.deepCopy())).as("%s/%s", messageKey, example)
                .isEqualTo(withoutMinted(doc.example(messageKey, example)));
    }

    private static JsonNode withoutMinted(JsonNode frame) {
        JsonNode content = frame.path("content");
        if (content instanceof ObjectNode fields) {
            for (String minted : List.of("message_id", "created_at", "updated_at", "deleted_at")) {
                if (fields.has(minted)) {
                    fields.put(minted, "<minted>");
                }
            }
        }
        return frame;
    }

    @Test
    void typedExamples() {
        try (WsClient one = node.connectTyped("1"); WsClient two = node.connectTyped("2")) {
            one.send(doc.example("TypedNewMessage", "client").toString());
            JsonNode ack = one.awaitType("new_message");
            conforms("TypedNewMessageBroadcast", ack);
            conforms("TypedNewMessageBroadcast", two.awaitType("new_message"));
            long id = ack.at("/content/message_id").asLong();

            // {client message, example, broadcast type, documented server message, its example or null}
            String[][] cases = {
                    {"TypedUserTyping", "typing", "user_typing", "TypedUserTypingBroadcast", "typing"},
                    {"TypedUserTyping", "typingAlias", "user_typing", "TypedUserTypingBroadcast", "typing"},
                    {"TypedMessageRead", "read", "message_read", "TypedMessageReadBroadcast", "read"},
                    {"TypedEditMessage", "edit", "edit_message", "TypedNewMessageBroadcast", null},
                    {"TypedDeleteMessage", "delete", "delete_message", "TypedDeleteMessageBroadcast", "deleted"}};
            for (String[] c : cases) {
                ObjectNode frame = doc.example(c[0], c[1]);
                if (frame.path("content").has("message_id")) {
                    ((ObjectNode) frame.path("content")).put("message_id", id); // ids are minted by the server
                }
                // edit/delete are the sender's own: user 1 sends them, user 2 watches.
                WsClient sender = c[0].equals("TypedEditMessage") || c[0].equals("TypedDeleteMessage") ? one : two;
                WsClient watcher = sender == one ? two : one;
                sender.send(frame.toString());
                JsonNode broadcast = watcher.awaitType(c[2]);
                conforms(c[3], broadcast);
                if (c[4] != null) {
                    sameAsExample(c[3], c[4], broadcast);
                }
            }
            two.send(doc.example("TypedSetOffline", "client").toString());
            JsonNode offline = one.awaitType("user_offline");
            conforms("TypedUserOffline", offline);
            sameAsExample("TypedUserOffline", "offline", offline);
            two.send(doc.example("TypedSetOnline", "online").toString());
            JsonNode online = one.awaitType("user_online");
            conforms("TypedUserOnline", online);
            sameAsExample("TypedUserOnline", "online", online);
            two.send("{\"type\":\"shout\",\"content\":{}}");
            JsonNode error = two.awaitType("error");
            conforms("TypedError", error);
            assertThat(error.at("/content/message").asText())
                    .isEqualTo(doc.example("TypedError", "unknownType").at("/content/message").asText());

            ObjectNode refresh = doc.example("TypedRefresh", "refresh");
            ((ObjectNode) refresh.path("content")).put("token", TestNode.token("2"));
            two.send(refresh.toString());
            conforms("TypedRefreshReply", two.awaitType("refresh"));

            // User 1 shares the chat "1_2" with user 2, who is connected and shown.
            one.send(doc.example("TypedPresenceRequest", "contacts").toString());
            JsonNode contacts = one.awaitType("presence");
            conforms("TypedPresenceReply", contacts);
            assertThat(contacts.at("/content/users").findValuesAsText("user_id")).contains("2");
            one.send(doc.example("TypedPresenceRequest", "listed").toString());
            JsonNode listed = one.awaitType("presence");
            conforms("TypedPresenceReply", listed);
            assertThat(listed.at("/content/users").findValuesAsText("user_id"))
                    .isEqualTo(doc.example("TypedPresenceReply", "listed").at("/content/users").findValuesAsText("user_id"));
            assertThat(listed.at("/content/users/0")).isEqualTo(doc.example("TypedPresenceReply", "listed").at("/content/users/0"));
            one.send("{\"type\":\"presence\",\"content\":{\"user_ids\":[]}}");
            JsonNode badPresence = one.awaitType("error");
            conforms("TypedError", badPresence);
            assertThat(badPresence).isEqualTo(doc.example("TypedError", "badPresence"));

            // A group chat of 1 and 2 whose owner, 1, adds user 3 and removes them again.
            String group = node.createChat("1", "group", "2");
            assertThat(changeMember("POST", group, "1", "3").statusCode()).isEqualTo(200);
            for (WsClient member : List.of(one, two)) {
                JsonNode joined = member.awaitType("member_joined");
                conforms("TypedMemberJoined", joined);
                sameAsExample("TypedMemberJoined", "added", inDocumentedChat(joined, "/content", "TypedMemberJoined", "added"));
            }
            assertThat(changeMember("DELETE", group, "1", "3").statusCode()).isEqualTo(204);
            for (WsClient member : List.of(one, two)) {
                JsonNode left = member.awaitType("member_left");
                conforms("TypedMemberLeft", left);
                sameAsExample("TypedMemberLeft", "removed", inDocumentedChat(left, "/content", "TypedMemberLeft", "removed"));
            }
        }
    }

    /** A feed update's first item, without its {@code send_date}. */
    private static JsonNode firstItemButItsTime(JsonNode update) {
        return ((ObjectNode) update.at("/message/0").deepCopy()).without("send_date");
    }

    /** {@code POST /api/v1/chats/{chat}/members} or {@code DELETE .../members/{user}} as {@code actor}. */
    private static HttpResponse<String> changeMember(String method, String chat, String actor, String user) {
        try {
            return method.equals("POST")
                    ? node.rest("POST", "/api/v1/chats/" + chat + "/members", actor, "{\"user_id\":\"" + user + "\"}")
                    : node.rest("DELETE", "/api/v1/chats/" + chat + "/members/" + user, actor, null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The frame with its chat id (at {@code object}/chat_id) swapped for the one the example shows. */
    private static JsonNode inDocumentedChat(JsonNode frame, String object, String messageKey, String example) {
        JsonNode copy = frame.deepCopy();
        ((ObjectNode) copy.at(object)).put("chat_id", doc.example(messageKey, example).at(object + "/chat_id").asText());
        return copy;
    }

    @Test
    void actionsExamples() {
        try (WsClient me = node.connectActions(ACTIONS_USER); WsClient peer = node.connectActions(ACTIONS_PEER)) {
            me.send(doc.example("ActionsCreateChat", "create").toString());
            JsonNode created = me.awaitType("create_chat");
            conforms("ActionsReply", created);
            String chat = created.at("/data/chat/id").asText();

            me.send(doc.example("ActionsListChats", "list").toString());
            conforms("ActionsReply", me.awaitType("list_chats"));

            ObjectNode send = doc.example("ActionsSendMessage", "send");
            send.put("chat_id", chat); // the example's UUID stands for the one create_chat returned
            me.send(send.toString());
            conforms("ActionsReply", me.awaitType("send_message"));
            conforms("ActionsNewMessage", peer.awaitType("new_message"));

            ObjectNode page = doc.example("ActionsGetMessages", "page");
            page.put("chat_id", chat);
            me.send(page.toString());
            conforms("ActionsReply", me.awaitType("get_messages"));

            me.send("{\"type\":\"subscribe\",\"request_id\":\"5\"}");
            JsonNode error = me.awaitType("error");
            conforms("ActionsError", error);
            assertThat(error).isEqualTo(doc.example("ActionsError", "unknownType"));

            ObjectNode refresh = doc.example("ActionsRefresh", "refresh");
            refresh.put("token", TestNode.token(ACTIONS_USER));
            me.send(refresh.toString());
            conforms("ActionsReply", me.awaitType("refresh"));

            // The creator owns the chat: it adds the documented third user and removes them again.
            String third = doc.example("ActionsMemberJoined", "added").at("/data/user_id").asText();
            assertThat(changeMember("POST", chat, ACTIONS_USER, third).statusCode()).isEqualTo(200);
            for (WsClient member : List.of(me, peer)) {
                JsonNode joined = member.awaitType("member_joined");
                conforms("ActionsMemberJoined", joined);
                assertThat(inDocumentedChat(joined, "/data", "ActionsMemberJoined", "added"))
                        .isEqualTo(doc.example("ActionsMemberJoined", "added"));
            }
            assertThat(changeMember("DELETE", chat, ACTIONS_USER, third).statusCode()).isEqualTo(204);
            for (WsClient member : List.of(me, peer)) {
                JsonNode left = member.awaitType("member_left");
                conforms("ActionsMemberLeft", left);
                assertThat(inDocumentedChat(left, "/data", "ActionsMemberLeft", "removed"))
                        .isEqualTo(doc.example("ActionsMemberLeft", "removed"));
            }
        }
    }

    @Test
    void pairExamples() {
        String booking = node.createChat("owner-1", "booking", "sitter-1");
        try (WsClient owner = node.connectPair(booking); WsClient sitter = node.connectPairAs(booking, "sitter-1")) {
            ObjectNode hello = doc.example("PairChatMessage", "hello");
            owner.send(hello.toString()); // "<jwt>" is not a token: refused in the seed's ErrorSchema
            JsonNode refused = owner.await(m -> m.has("code"));
            conforms("PairStatus", refused);
            assertThat(refused.path("code").asInt()).isEqualTo(401);

            ObjectNode message = doc.example("PairChatMessage", "client");
            message.put("sessionId", TestNode.token("owner-1"));
            owner.send(message.toString());
            conforms("PairDelivery", owner.await(m -> m.has("messageId")));
            JsonNode delivered = sitter.await(m -> m.has("messageId"));
            conforms("PairDelivery", delivered);
            assertThat(delivered.path("message").asText()).isEqualTo(message.path("message").asText());

            ObjectNode refresh = doc.example("PairChatMessage", "refresh");
            refresh.put("sessionId", JWT.create().withSubject("owner-1").withExpiresAt(Instant.now().plusSeconds(3600))
                    .sign(Algorithm.HMAC256(TestNode.SECRET))); // another token than the hello's
            owner.send(refresh.toString());
            JsonNode refreshed = owner.await(m -> m.has("expires_at"));
            conforms("PairStatus", refreshed);
            assertThat(refreshed.path("code").asInt()).isEqualTo(200);
        }
    }

    @Test
    void feedExamples() throws Exception {
        assertThat(node.rest("POST", "/api/v1/chats", "cust-1", "{\"kind\":\"support\",\"application_id\":777}")
                .statusCode()).isEqualTo(201);
        try (WsClient feed = node.connectFeed("cust-1", "777", true)) {
            conforms("FeedUpdate", feed.awaitType("update"));
            feed.send(doc.example("FeedClientUpdate", "send").toString());
            JsonNode own = feed.await(m -> m.path("message").toString().contains("Hello world"));
            conforms("FeedUpdate", own);
            conforms("FeedHeartbeat", feed.awaitType("heartbeat"));
            feed.send("{\"type\":\"update\",\"message\":[]}");
            conforms("FeedError", feed.awaitType("error"));
            ObjectNode refresh = doc.example("FeedRefresh", "refresh");
            refresh.put("token", TestNode.token("cust-1"));
            feed.send(refresh.toString());
            conforms("FeedRefreshReply", feed.awaitType("refresh"));

            // The application's backend adds user 3 to the support chat and removes them again.
            assertThat(node.service("POST", "/api/v1/chats/777/members", "{\"user_id\":\"3\"}").statusCode()).isEqualTo(200);
            conforms("FeedUpdate", feed.await(m -> m.at("/message/0/text").asText().equals("user 3 joined the chat")));
            assertThat(node.service("DELETE", "/api/v1/chats/777/members/3", null).statusCode()).isEqualTo(204);
            JsonNode left = feed.await(m -> m.at("/message/0/type").asText().equals("chat_event")
                    && m.at("/message/0/text").asText().contains("removed"));
            conforms("FeedUpdate", left);
            assertThat(firstItemButItsTime(left)).isEqualTo(firstItemButItsTime(doc.example("FeedUpdate", "memberLeft")));
        }
        assertThat(List.of(doc.examples("FeedHeartbeat").get(0).path("type").asText())).containsExactly("heartbeat");
    }
}
