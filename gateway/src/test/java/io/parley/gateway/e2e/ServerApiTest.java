package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API with a service token, on one node, seen by real clients of every dialect:
 * system messages, chats for any users, members added and removed, closing, disconnect, revoke.
 */
class ServerApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static String createBooking(String owner, String sitter) throws Exception {
        HttpResponse<String> created = node.service("POST", "/api/v1/chats",
                "{\"kind\":\"booking\",\"members\":[\"" + owner + "\",\"" + sitter + "\"],\"title\":\"Walk Rex\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode chat = body(created).path("chat");
        assertThat(chat.path("owner_id").asText()).isEqualTo(owner);
        return chat.path("id").asText();
    }

    @Test
    void aSystemMessageReachesEveryDialectAndFeedShowsItAsASystemItem() throws Exception {
        String chat = createBooking("sa-owner", "sa-sitter");
        try (WsClient owner = node.connectEvents("sa-owner");
             WsClient sitter = node.connect("feed", "sa-sitter", chat)) {
            HttpResponse<String> posted = node.service("POST", "/api/v1/chats/" + chat + "/messages",
                    "{\"text\":\"Booking confirmed\"}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
            assertThat(body(posted).at("/message/sender_id").asText()).isEqualTo("system");

            JsonNode pushed = owner.awaitName("Event.ReceiveMessage");
            assertThat(pushed.at("/result/message/content").asText()).isEqualTo("Booking confirmed");
            JsonNode item = sitter.await(m -> m.toString().contains("Booking confirmed")).at("/message/0");
            assertThat(item.path("type").asText()).isEqualTo("chat_event");
            assertThat(item.path("sender").asText()).isEqualTo("system");

            HttpResponse<String> asMember = node.service("POST", "/api/v1/chats/" + chat + "/messages",
                    "{\"text\":\"On my way\",\"sender_id\":\"sa-sitter\",\"client_message_id\":\"k1\"}");
            assertThat(asMember.statusCode()).isEqualTo(201);
            assertThat(owner.await(m -> m.toString().contains("On my way")).at("/result/message/sender_id").asText())
                    .isEqualTo("sa-sitter");
            HttpResponse<String> repeat = node.service("POST", "/api/v1/chats/" + chat + "/messages",
                    "{\"text\":\"On my way\",\"sender_id\":\"sa-sitter\",\"client_message_id\":\"k1\"}");
            assertThat(body(repeat).at("/message/id")).as("a repeat is answered with the first")
                    .isEqualTo(body(asMember).at("/message/id"));
        }
        JsonNode read = body(node.service("GET", "/api/v1/chats/" + chat + "/messages?limit=1", null));
        assertThat(read.path("messages")).extracting(m -> m.path("text").asText()).containsExactly("On my way");
        assertThat(read.path("has_more").asBoolean()).as("the backend pages any chat like a member").isTrue();
        assertThat(node.service("GET", "/api/v1/chats/nope/messages", null).statusCode()).isEqualTo(404);
        HttpResponse<String> stranger = node.service("POST", "/api/v1/chats/" + chat + "/messages",
                "{\"text\":\"hi\",\"sender_id\":\"sa-stranger\"}");
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(node.service("POST", "/api/v1/chats/nope/messages", "{\"text\":\"hi\"}").statusCode()).isEqualTo(404);
        assertThat(node.service("POST", "/api/v1/chats/" + chat + "/messages", "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void onlyAValidServiceTokenOpensTheServerApi() throws Exception {
        String chat = createBooking("sb-owner", "sb-sitter");
        HttpResponse<String> asUser = node.rest("POST", "/api/v1/chats/" + chat + "/messages", "sb-owner",
                "{\"text\":\"fake system message\"}");
        assertThat(asUser.statusCode()).isEqualTo(403);
        assertThat(asUser.body()).contains("role \\\"service\\\"");
        assertThat(node.rest("POST", "/api/v1/users/sb-sitter/disconnect", "sb-owner", null).statusCode()).isEqualTo(403);

        String forged = JWT.create().withSubject("backend").withClaim("role", "service")
                .withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256("not-the-node's-secret-at-all"));
        assertThat(node.call("POST", "/api/v1/chats/" + chat + "/close", forged, null).statusCode()).isEqualTo(401);
        String expired = JWT.create().withSubject("backend").withClaim("role", "service")
                .withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(node.call("POST", "/api/v1/users/sb-owner/disconnect", expired, null).statusCode()).isEqualTo(401);
        String system = JWT.create().withSubject("system").withExpiresAt(Instant.now().plusSeconds(60))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        assertThat(node.call("GET", "/api/v1/chats", system, null).statusCode())
                .as("nobody acts as the sender of system messages").isEqualTo(401);
    }

    @Test
    void anyChatsMembersAreListed() throws Exception {
        String chat = node.serviceChat("{\"kind\":\"booking\",\"members\":[\"sl-sitter\",\"sl-owner\"]}");
        JsonNode listed = body(node.service("GET", "/api/v1/chats/" + chat + "/members", null));
        assertThat(listed.path("chat_id").asText()).isEqualTo(chat);
        assertThat(listed.path("members").toString()).isEqualTo("[\"sl-owner\",\"sl-sitter\"]");
        assertThat(node.service("GET", "/api/v1/chats/sl-nope/members", null).statusCode()).isEqualTo(404);
        HttpResponse<String> put = node.service("PUT", "/api/v1/chats/" + chat + "/members", "{}");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
    }

    @Test
    void membersAddedReceiveAndMembersRemovedNeitherReceiveNorSend() throws Exception {
        String chat = node.serviceChat("{\"kind\":\"group\",\"members\":[\"sc-a\",\"sc-b\"]}");
        try (WsClient a = node.connectActions("sc-a"); WsClient c = node.connectActions("sc-c");
             WsClient feed = node.connect("feed", "sc-b", chat)) {
            assertThat(node.service("POST", "/api/v1/chats/" + chat + "/members", "{\"user_id\":\"sc-c\"}").statusCode())
                    .isEqualTo(200);
            assertThat(feed.await(m -> m.toString().contains("sc-c joined")).at("/message/0/type").asText())
                    .isEqualTo("chat_event");
            a.json(Map.of("type", "send_message", "chat_id", chat, "text", "welcome c"));
            assertThat(c.await(m -> m.toString().contains("welcome c")).path("type").asText()).isEqualTo("new_message");

            assertThat(node.service("DELETE", "/api/v1/chats/" + chat + "/members/sc-c", null).statusCode()).isEqualTo(204);
            assertThat(feed.await(m -> m.toString().contains("sc-c was removed from the chat")).at("/message/0/type").asText())
                    .as("the members are told in the dialects that have a place for it").isEqualTo("chat_event");
            assertThat(node.service("DELETE", "/api/v1/chats/" + chat + "/members/sc-c", null).statusCode()).isEqualTo(404);
            a.json(Map.of("type", "send_message", "chat_id", chat, "text", "c is gone"));
            a.await(m -> m.toString().contains("c is gone"));
            assertThat(c.receivesNothing(m -> m.toString().contains("c is gone"), Duration.ofMillis(500))).isTrue();
            c.json(Map.of("type", "send_message", "chat_id", chat, "text", "let me back"));
            assertThat(c.awaitCode(403).toString()).contains("not a member");
        }
    }

    @Test
    void aClosedChatTellsItsMembersAndRefusesLaterSends() throws Exception {
        String chat = createBooking("sd-owner", "sd-sitter");
        try (WsClient owner = node.connectActions("sd-owner"); WsClient sitter = node.connect("pair", "sd-sitter", chat)) {
            HttpResponse<String> closed = node.service("POST", "/api/v1/chats/" + chat + "/close",
                    "{\"text\":\"Booking finished\"}");
            assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
            assertThat(body(closed).at("/chat/closed_at").isTextual()).isTrue();
            assertThat(owner.await(m -> m.toString().contains("Booking finished")).path("type").asText())
                    .isEqualTo("new_message");
            sitter.await(m -> m.toString().contains("Booking finished"));

            owner.json(Map.of("type", "send_message", "chat_id", chat, "text", "one more thing"));
            assertThat(owner.awaitCode(409).toString()).contains("closed");
            sitter.json(Map.of("sessionId", TestNode.token("sd-sitter"), "message", "hello?"));
            assertThat(sitter.await(m -> m.path("code").asInt() == 409).toString()).contains("closed");
        }
        assertThat(node.service("POST", "/api/v1/chats/" + chat + "/close", null).statusCode())
                .as("closing again changes nothing").isEqualTo(200);
        JsonNode history = body(node.rest("GET", "/api/v1/chats/" + chat + "/messages", "sd-owner", null));
        assertThat(history.path("messages")).extracting(m -> m.path("text").asText()).containsExactly("Booking finished");
    }

    @Test
    void disconnectClosesEverySocketOfTheUserAfterAnErrorInItsDialect() throws Exception {
        String chat = createBooking("se-user", "se-other");
        try (WsClient events = node.connectEvents("se-user"); WsClient feed = node.connect("feed", "se-user", chat);
             WsClient other = node.connectEvents("se-other")) {
            assertThat(node.service("POST", "/api/v1/users/se-user/disconnect", null).statusCode()).isEqualTo(204);
            for (WsClient socket : List.of(events, feed)) {
                assertThat(socket.await(m -> m.toString().contains("disconnected by the application")).toString())
                        .contains("403");
                assertThat(socket.awaitClose()).isEqualTo(4003);
            }
            assertThat(other.isOpen()).isTrue();
        }
        try (WsClient again = node.connectEvents("se-user")) {
            assertThat(again.isOpen()).as("a disconnect is not a ban: the same token opens a socket again").isTrue();
        }
    }

    @Test
    void revokedTokensCloseTheirSocketsAndAreRefusedWhileNewerOnesWork() throws Exception {
        Instant issued = Instant.now().minusSeconds(10);
        String old = JWT.create().withSubject("sf-user").withIssuedAt(issued).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        try (WsClient socket = WsClient.connect(node.ws("/ws/chats/"), Map.of("Authorization", "Bearer " + old))) {
            HttpResponse<String> revoked = node.service("POST", "/api/v1/users/sf-user/revoke",
                    "{\"before\":\"" + issued.plusSeconds(5) + "\"}");
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(204);
            assertThat(socket.await(m -> m.toString().contains("revoked")).toString()).contains("401");
            assertThat(socket.awaitClose()).isEqualTo(4003);
        }
        assertThat(WsClient.refusedStatus(node.ws("/ws/chats/"), Map.of("Authorization", "Bearer " + old))).isEqualTo(401);
        String fresh = JWT.create().withSubject("sf-user").withIssuedAt(Instant.now()).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        try (WsClient socket = WsClient.connect(node.ws("/ws/chats/"), Map.of("Authorization", "Bearer " + fresh))) {
            assertThat(socket.isOpen()).isTrue();
        }
        assertThat(node.service("POST", "/api/v1/users/sf-user/revoke", "{\"before\":\"yesterday\"}").statusCode())
                .isEqualTo(400);
    }
}
