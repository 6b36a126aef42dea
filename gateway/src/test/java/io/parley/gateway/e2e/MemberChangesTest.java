package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Members of a group or project chat change its membership over REST with their own tokens: the
 * owner (the creator) adds and removes, any other member leaves. Seen by real sockets: who is in
 * receives, who left neither receives nor sends, and every dialect with a place for it shows
 * each change in its own frame.
 */
class MemberChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static HttpResponse<String> add(String actor, String chat, String userId) throws Exception {
        return node.rest("POST", "/api/v1/chats/" + chat + "/members", actor, "{\"user_id\":\"" + userId + "\"}");
    }

    private static HttpResponse<String> remove(String actor, String chat, String userId) throws Exception {
        return node.rest("DELETE", "/api/v1/chats/" + chat + "/members/" + userId, actor, null);
    }

    @Test
    void whoMayReadAChatSeesItsMembersAndLookingJoinsNobody() throws Exception {
        String chat = node.createChat("ml-owner", "group", "ml-b", "ml-a");
        HttpResponse<String> listed = node.rest("GET", "/api/v1/chats/" + chat + "/members", "ml-b", null);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        assertThat(JSON.readTree(listed.body()).path("chat_id").asText()).isEqualTo(chat);
        assertThat(memberIds(listed)).containsExactly("ml-a", "ml-b", "ml-owner");
        assertThat(add("ml-owner", chat, "ml-c").statusCode()).isEqualTo(200);
        assertThat(memberIds(node.rest("GET", "/api/v1/chats/" + chat + "/members", "ml-owner", null)))
                .containsExactly("ml-a", "ml-b", "ml-c", "ml-owner");

        HttpResponse<String> stranger = node.rest("GET", "/api/v1/chats/" + chat + "/members", "ml-x", null);
        assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(403);
        assertThat(stranger.body()).contains("not a member");
        assertThat(node.rest("GET", "/api/v1/chats/ml-nope/members", "ml-owner", null).statusCode()).isEqualTo(404);
        HttpResponse<String> put = node.rest("PUT", "/api/v1/chats/" + chat + "/members", "ml-owner", "{}");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");

        // Staff may read a support chat; looking at its members does not make them one.
        HttpResponse<String> support = node.rest("POST", "/api/v1/chats", "ml-customer",
                "{\"kind\":\"support\",\"application_id\":" + (System.nanoTime() & 0xffffff) + "}");
        assertThat(support.statusCode()).as(support.body()).isEqualTo(201);
        String supportChat = JSON.readTree(support.body()).at("/chat/id").asText();
        for (int look = 0; look < 2; look++) {
            HttpResponse<String> byStaff = node.call("GET", "/api/v1/chats/" + supportChat + "/members",
                    TestNode.staffToken("ml-agent"), null);
            assertThat(byStaff.statusCode()).as(byStaff.body()).isEqualTo(200);
            assertThat(memberIds(byStaff)).containsExactly("ml-customer");
        }
    }

    private static List<String> memberIds(HttpResponse<String> response) throws Exception {
        List<String> ids = new ArrayList<>();
        JSON.readTree(response.body()).path("members").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    @Test
    void theOwnerAddsAndRemovesAndAMemberLeaves() throws Exception {
        String chat = node.createChat("mc-owner", "group", "mc-a");
        try (WsClient owner = node.connectActions("mc-owner"); WsClient b = node.connectActions("mc-b");
             WsClient a = node.connectActions("mc-a"); WsClient feed = node.connect("feed", "mc-a", chat)) {
            HttpResponse<String> added = add("mc-owner", chat, "mc-b");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
            assertThat(JSON.readTree(added.body()).at("/chat/id").asText()).isEqualTo(chat);
            assertThat(feed.await(m -> m.toString().contains("mc-b joined")).at("/message/0/type").asText())
                    .isEqualTo("chat_event");
            owner.json(Map.of("type", "send_message", "chat_id", chat, "text", "welcome b"));
            assertThat(b.await(m -> m.toString().contains("welcome b")).path("type").asText()).isEqualTo("new_message");

            // a leaves: told in feed, then neither receives nor may send.
            assertThat(remove("mc-a", chat, "mc-a").statusCode()).isEqualTo(204);
            feed.await(m -> m.toString().contains("mc-a"));
            owner.json(Map.of("type", "send_message", "chat_id", chat, "text", "a has left"));
            b.await(m -> m.toString().contains("a has left"));
            assertThat(a.receivesNothing(m -> m.toString().contains("a has left"), Duration.ofMillis(500))).isTrue();
            a.json(Map.of("type", "send_message", "chat_id", chat, "text", "let me back"));
            assertThat(a.awaitCode(403).toString()).contains("not a member");

            // The owner removes b.
            assertThat(remove("mc-owner", chat, "mc-b").statusCode()).isEqualTo(204);
            assertThat(remove("mc-owner", chat, "mc-b").statusCode()).as("gone already").isEqualTo(404);
            owner.json(Map.of("type", "send_message", "chat_id", chat, "text", "b removed"));
            owner.await(m -> m.toString().contains("b removed"));
            assertThat(b.receivesNothing(m -> m.toString().contains("b removed"), Duration.ofMillis(500))).isTrue();
        }
    }

    /**
     * Each change reaches every member's socket in its dialect's own frame, the one who joined
     * and the one who left included; {@code pair}, which has no such frame, gets nothing and
     * learns of its removal from the 403 of its next send.
     */
    @Test
    void everyDialectIsToldOfEachChangeInItsOwnShape() throws Exception {
        String chat = node.createChat("md-owner", "group", "md-typed", "md-actions", "md-feed", "md-pair");
        try (WsClient events = node.connectEvents("md-owner"); WsClient typed = node.connectTyped("md-typed");
             WsClient actions = node.connectActions("md-actions"); WsClient feed = node.connect("feed", "md-feed", chat);
             WsClient pair = node.connectPairAs(chat, "md-pair"); WsClient newcomer = node.connectActions("md-new")) {
            Member owner = new Member("events", events), typedMember = new Member("typed", typed),
                    actionsMember = new Member("actions", actions), feedMember = new Member("feed", feed),
                    added = new Member("actions", newcomer);

            assertThat(add("md-owner", chat, "md-new").statusCode()).isEqualTo(200);
            for (Member member : List.of(owner, typedMember, actionsMember, feedMember, added)) {
                told(member, chat, "joined", "md-new", null);
            }

            assertThat(remove("md-owner", chat, "md-actions").statusCode()).isEqualTo(204);
            for (Member member : List.of(owner, typedMember, actionsMember, feedMember, added)) {
                told(member, chat, "left", "md-actions", "md-owner");
            }

            assertThat(remove("md-typed", chat, "md-typed").statusCode()).as("md-typed leaves").isEqualTo(204);
            for (Member member : List.of(owner, typedMember, feedMember, added)) {
                told(member, chat, "left", "md-typed", null);
            }
            assertThat(actions.receivesNothing(m -> m.toString().contains("md-typed"), Duration.ofMillis(300)))
                    .as("no longer a member: not told of the chat's later changes").isTrue();

            assertThat(remove("md-owner", chat, "md-pair").statusCode()).isEqualTo(204);
            for (Member member : List.of(owner, feedMember, added)) {
                told(member, chat, "left", "md-pair", "md-owner");
            }
            assertThat(pair.receivesNothing(m -> true, Duration.ofMillis(300))).isTrue();
            assertThat(pair.allReceived()).as("pair: the hello's answer and nothing of the changes").hasSize(1);
            pair.json(Map.of("sessionId", TestNode.token("md-pair"), "message", "still here?"));
            JsonNode refused = pair.await(m -> m.has("code"));
            assertThat(refused.path("code").asInt()).isEqualTo(403);
            assertThat(refused.path("message").asText()).contains("not a member");

            assertThat(node.service("DELETE", "/api/v1/chats/" + chat + "/members/md-new", null).statusCode())
                    .as("the application removes md-new").isEqualTo(204);
            for (Member member : List.of(owner, feedMember, added)) {
                told(member, chat, "left", "md-new", "system");
            }
        }
    }

    /** A member's socket and the dialect it speaks. */
    private record Member(String dialect, WsClient socket) {
    }

    /**
     * Waits until the member's socket is told that {@code user} joined or left, and checks the
     * frame; {@code removedBy}: who removed them, null when they joined or left by themselves.
     */
    private static void told(Member member, String chat, String change, String user, String removedBy)
            throws Exception {
        WsClient socket = member.socket();
        String removed = removedBy == null ? "" : ",\"removed_by\":\"" + removedBy + "\"";
        switch (member.dialect()) {
            case "events" -> assertThat(socket.await(m -> m.path("name").asText().equals("Event.MemberChanged")
                    && m.at("/result/user_id").asText().equals(user))).as("events").isEqualTo(JSON.readTree(
                    "{\"name\":\"Event.MemberChanged\",\"ok\":true,\"result\":{\"session_channel\":\"" + chat
                            + "\",\"user_id\":\"" + user + "\",\"change\":\"" + change + "\"" + removed + "}}"));
            case "typed" -> assertThat(socket.await(m -> m.path("type").asText().startsWith("member_")
                    && m.at("/content/user_id").asText().equals(user))).as("typed").isEqualTo(JSON.readTree(
                    "{\"type\":\"member_" + change + "\",\"content\":{\"chat_type\":\"project\",\"chat_id\":\""
                            + chat + "\",\"user_id\":\"" + user + "\"" + removed + "}}"));
            case "actions" -> assertThat(socket.await(m -> m.path("type").asText().startsWith("member_")
                    && m.at("/data/user_id").asText().equals(user))).as("actions").isEqualTo(JSON.readTree(
                    "{\"type\":\"member_" + change + "\",\"data\":{\"chat_id\":\"" + chat + "\",\"user_id\":\""
                            + user + "\"" + removed + "}}"));
            case "feed" -> {
                JsonNode item = socket.await(m -> m.at("/message/0/text").asText().startsWith("user " + user + " "))
                        .at("/message/0");
                assertThat(item.path("type").asText()).isEqualTo("chat_event");
                assertThat(item.path("text").asText()).isEqualTo("user " + user + " "
                        + (removedBy == null ? change : "was removed from") + " the chat");
                assertThat(item.path("sender").asText()).isEqualTo("system");
            }
            default -> throw new IllegalArgumentException(member.dialect());
        }
    }

    @Test
    void onlyTheOwnerChangesOthersAndTheFixedKindsDoNotChange() throws Exception {
        String group = node.createChat("mr-owner", "group", "mr-a", "mr-b");
        HttpResponse<String> notOwner = add("mr-a", group, "mr-c");
        assertThat(notOwner.statusCode()).isEqualTo(403);
        assertThat(error(notOwner)).contains("only the chat's owner (mr-owner) adds members");
        assertThat(remove("mr-a", group, "mr-b").statusCode()).isEqualTo(403);
        assertThat(add("mr-stranger", group, "mr-c").statusCode()).as("a stranger learns nothing").isEqualTo(404);
        HttpResponse<String> ownerLeaves = remove("mr-owner", group, "mr-owner");
        assertThat(ownerLeaves.statusCode()).isEqualTo(409);
        assertThat(error(ownerLeaves)).contains("owner cannot leave");
        assertThat(add("mr-owner", "no-such-chat", "mr-c").statusCode()).isEqualTo(404);
        assertThat(node.rest("POST", "/api/v1/chats/" + group + "/members", "mr-owner", "{}").statusCode())
                .isEqualTo(400);
        assertThat(node.rest("PUT", "/api/v1/chats/" + group + "/members", "mr-owner", "{}").statusCode())
                .isEqualTo(405);
        assertThat(node.rest("DELETE", "/api/v1/chats/" + group + "/members/", "mr-owner", null).statusCode())
                .as("no user named").isEqualTo(404);

        String direct = node.createChat("mr-owner", "direct", "mr-a");
        HttpResponse<String> fixed = remove("mr-a", direct, "mr-a");
        assertThat(fixed.statusCode()).isEqualTo(409);
        assertThat(error(fixed)).contains("direct chat's members are fixed");
        assertThat(add("mr-owner", direct, "mr-c").statusCode()).isEqualTo(409);
    }

    private static String error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).at("/error/message").asText();
    }
}
