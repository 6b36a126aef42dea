package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST API: every chat kind, listing, history pages, and JSON errors with codes. */
class RestApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void everyKindAndTheListing() throws Exception {
        HttpResponse<String> direct = node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"direct\",\"members\":[\"10\"]}");
        assertThat(direct.statusCode()).isEqualTo(201);
        assertThat(body(direct).at("/chat/id").asText()).isEqualTo("9_10");
        assertThat(body(node.rest("POST", "/api/v1/chats", "10", "{\"kind\":\"direct\",\"members\":[\"9\"]}")).at("/chat/id").asText())
                .isEqualTo("9_10");
        JsonNode group = body(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"group\",\"members\":[\"10\",\"11\"],\"title\":\"Team\"}"));
        assertThat(group.at("/chat/kind").asText()).isEqualTo("group");
        assertThat(group.at("/chat/title").asText()).isEqualTo("Team");
        assertThat(body(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"project\",\"members\":[\"11\"]}")).at("/chat/kind").asText())
                .isEqualTo("project");
        assertThat(body(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"booking\",\"members\":[\"12\"]}")).at("/chat/kind").asText())
                .isEqualTo("booking");
        JsonNode support = body(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"support\",\"application_id\":4242}"));
        assertThat(support.at("/chat/id").asText()).isEqualTo("4242");

        JsonNode list = body(node.rest("GET", "/api/v1/chats", "9", null));
        assertThat(list.path("chats")).hasSize(5);
        assertThat(body(node.rest("GET", "/api/v1/chats", "11", null)).path("chats")).hasSize(2);
    }

    @Test
    void historyPages() throws Exception {
        String chat = node.createChat("21", "group", "22");
        try (WsClient actions = node.connectActions("21")) {
            for (int i = 1; i <= 3; i++) {
                actions.json(Map.of("type", "send_message", "chat_id", chat, "text", "m" + i));
                actions.awaitType("send_message");
            }
        }
        JsonNode newestPage = body(node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=2", "22", null));
        JsonNode newest = newestPage.path("messages");
        assertThat(newest).hasSize(2);
        assertThat(newest.get(0).path("text").asText()).isEqualTo("m2");
        assertThat(newestPage.path("has_more").asBoolean()).as("m1 is older").isTrue();
        JsonNode olderPage = body(node.rest("GET", "/api/v1/chats/" + chat + "/messages?before_id="
                + newest.get(0).path("id").asLong(), "22", null));
        assertThat(olderPage.path("messages")).hasSize(1);
        assertThat(olderPage.at("/messages/0/text").asText()).isEqualTo("m1");
        assertThat(olderPage.path("has_more").asBoolean()).isFalse();

        // Resume: after m1, two at a time, oldest first, until has_more is false.
        long m1 = olderPage.at("/messages/0/id").asLong();
        JsonNode resumed = body(node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=1&after_id=" + m1, "22", null));
        assertThat(resumed.at("/messages/0/text").asText()).isEqualTo("m2");
        assertThat(resumed.path("has_more").asBoolean()).isTrue();
        resumed = body(node.rest("GET", "/api/v1/chats/" + chat + "/messages?limit=2&after_id="
                + resumed.at("/messages/0/id").asLong(), "22", null));
        assertThat(resumed.at("/messages/0/text").asText()).isEqualTo("m3");
        assertThat(resumed.path("messages")).hasSize(1);
        assertThat(resumed.path("has_more").asBoolean()).isFalse();

        // A message of another chat is no place to resume from: said, not answered with a gap.
        String other = node.createChat("21", "group", "23");
        HttpResponse<String> foreign = node.rest("GET", "/api/v1/chats/" + other + "/messages?after_id=" + m1, "21", null);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(node.rest("GET", "/api/v1/chats/" + chat + "/messages?after_id=" + m1 + "&before_id=" + m1, "21",
                null).statusCode()).isEqualTo(400);
    }

    @Test
    void errorsAreJsonWithCodes() throws Exception {
        HttpResponse<String> anonymous = node.get("/api/v1/chats");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(body(anonymous).at("/error/code").asInt()).isEqualTo(401);
        assertThat(node.rest("POST", "/api/v1/chats", "9", "nope").statusCode()).isEqualTo(400);
        HttpResponse<String> badKind = node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"party\",\"members\":[\"1\"]}");
        assertThat(badKind.statusCode()).isEqualTo(400);
        assertThat(body(badKind).at("/error/message").asText()).contains("kind");
        assertThat(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"booking\",\"members\":[\"1\",\"2\"]}").statusCode()).isEqualTo(400);
        assertThat(node.rest("GET", "/api/v1/chats/missing/messages", "9", null).statusCode()).isEqualTo(404);
        String theirs = node.createChat("31", "group", "32");
        assertThat(node.rest("GET", "/api/v1/chats/" + theirs + "/messages", "9", null).statusCode()).isEqualTo(403);
        assertThat(node.rest("GET", "/api/v1/chats/" + theirs + "/messages?limit=0", "31", null).statusCode()).isEqualTo(400);
        assertThat(node.rest("DELETE", "/api/v1/chats", "9", null).statusCode()).isEqualTo(405);
        assertThat(node.rest("GET", "/api/v1/chats/x/y/z", "9", null).statusCode()).isEqualTo(404);
        assertThat(node.rest("POST", "/api/v1/chats", "9", "{\"kind\":\"support\",\"application_id\":4343}").statusCode()).isEqualTo(201);
        assertThat(node.rest("POST", "/api/v1/chats", "8", "{\"kind\":\"support\",\"application_id\":4343}").statusCode()).isEqualTo(409);
    }
}
