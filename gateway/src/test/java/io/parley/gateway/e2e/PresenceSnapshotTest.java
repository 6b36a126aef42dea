package io.parley.gateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.config.Settings.PRESENCE_OFFLINE_GRACE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence snapshots on one node over real sockets: {@code GET /api/v1/presence} and the
 * {@code typed} dialect's {@code presence} frame. Online while connected and shown, offline with
 * a last seen once gone or hidden, nothing about users who share no chat with the asker, anything
 * to a service token, errors in each API's own shape.
 */
class PresenceSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestNode node = TestNode.perClass();

    @Test
    void aContactIsOnlineWhileConnectedAndOfflineWithALastSeenOnceGone() throws Exception {
        node.createChat("7101", "direct", "7102");
        String asker = TestNode.token("7101");
        WsClient contact = node.connectTyped("7102");
        node.awaitOnline("7102");

        JsonNode both = node.presence(asker, "7102", "7101");
        assertThat(both).isEqualTo(JSON.readTree("""
                [{"user_id": "7102", "online": true, "last_seen": null},
                 {"user_id": "7101", "online": false, "last_seen": null}]"""));

        Instant closing = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        contact.close();
        JsonNode gone = node.awaitPresence(asker, "7102", entry -> !entry.path("online").asBoolean());
        Instant seenOffline = Instant.now();
        Instant lastSeen = Instant.parse(gone.path("last_seen").asText());
        assertThat(lastSeen).as("when the connection closed").isBetween(closing, seenOffline);
        assertThat(node.metric("parley_presence_last_seen_users")).isGreaterThanOrEqualTo(1);

        WsClient back = node.connectTyped("7102");
        JsonNode again = node.awaitPresence(asker, "7102", entry -> entry.path("online").asBoolean());
        assertThat(again.path("last_seen").isNull()).as("an online user has no last seen").isTrue();
        back.close();
    }

    @Test
    void aHiddenUserIsOfflineSinceTheyHidAndTheirCloseIsNotSeen() throws Exception {
        node.createChat("7111", "direct", "7112");
        String asker = TestNode.token("7111");
        WsClient contact = node.connectTyped("7112");
        node.awaitOnline("7112");

        Instant hiding = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        contact.json(Map.of("type", "set_offline", "content", Map.of()));
        JsonNode hidden = node.awaitPresence(asker, "7112", entry -> !entry.path("online").asBoolean());
        Instant hidAt = Instant.parse(hidden.path("last_seen").asText());
        assertThat(hidAt).isBetween(hiding, Instant.now());

        contact.json(Map.of("type", "set_online", "content", Map.of()));
        node.awaitPresence(asker, "7112", entry -> entry.path("online").asBoolean());
        contact.json(Map.of("type", "set_offline", "content", Map.of()));
        JsonNode hiddenAgain = node.awaitPresence(asker, "7112", entry -> !entry.path("online").asBoolean());
        Thread.sleep(20);
        contact.close();
        while (node.server().onlineUsers().isOnline("7112").join()) {
            Thread.sleep(5); // until the node has let the socket go
        }
        assertThat(node.presence(asker, "7112").path(0)).as("still the hide's last seen").isEqualTo(hiddenAgain);
    }

    @Test
    void someoneSharingNoChatIsAnsweredLikeAnUnknownUserButAServiceTokenSeesAnyone() throws Exception {
        String stranger = "7121";
        String asker = TestNode.token("7122");
        WsClient left = node.connectTyped(stranger);
        node.awaitOnline(stranger);
        left.close();
        node.awaitPresence(TestNode.serviceToken(), stranger, entry -> !entry.path("last_seen").isNull());
        WsClient connected = node.connectTyped("7123");
        node.awaitOnline("7123");

        JsonNode answer = node.presence(asker, stranger, "7123", "nobody-7129");
        for (JsonNode entry : answer) {
            assertThat(entry.path("online").asBoolean()).as("%s", entry).isFalse();
            assertThat(entry.path("last_seen").isNull()).as("%s", entry).isTrue();
            assertThat(entry.size()).isEqualTo(3);
        }
        assertThat(answer.findValuesAsText("user_id")).containsExactly(stranger, "7123", "nobody-7129");

        JsonNode seenByService = node.presence(TestNode.serviceToken(), stranger, "7123", "nobody-7129");
        assertThat(seenByService.path(0).path("last_seen").isTextual()).isTrue();
        assertThat(seenByService.path(1).path("online").asBoolean()).isTrue();
        assertThat(seenByService.path(2)).isEqualTo(answer.path(2));
        connected.close();
    }

    @Test
    void eachUserIsAnsweredOnceInTheOrderFirstAsked() throws Exception {
        node.createChat("7141", "direct", "7142");
        JsonNode answer = node.presence(TestNode.token("7141"), "7142", "7143", "7142", "7141");
        assertThat(answer.findValuesAsText("user_id")).containsExactly("7142", "7143", "7141");
        HttpResponse<String> repeated = node.call("GET", "/api/v1/presence?users=7143&users=7142", TestNode.token("7141"), null);
        assertThat(JSON.readTree(repeated.body()).path("presence").findValuesAsText("user_id")).containsExactly("7143", "7142");
    }

    @Test
    void badRequestsAreRefusedInTheApisErrorShape() throws Exception {
        String token = TestNode.token("7151");
        String hundredAndOne = String.join(",", Collections.nCopies(101, "7152"));
        for (String query : List.of("?users=" + hundredAndOne, "", "?users=", "?users=1,,2", "?users=" + "x".repeat(129))) {
            HttpResponse<String> response = node.call("GET", "/api/v1/presence" + query, token, null);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertThat(error.path("code").asInt()).isEqualTo(400);
            assertThat(error.path("message").asText()).as(query).startsWith("users: ");
        }
        assertThat(node.get("/api/v1/presence?users=7152").statusCode()).as("no token").isEqualTo(401);
        assertThat(node.call("GET", "/api/v1/presence?users=7152", "not-a-jwt", null).statusCode()).isEqualTo(401);
        HttpResponse<String> post = node.call("POST", "/api/v1/presence?users=7152", token, "{}");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(node.presence(token, String.join(",", Collections.nCopies(100, "7152")))).as("100 is fine").hasSize(1);
    }

    @Test
    void theTypedDialectAsksForItsContactsOrForListedUsers() throws Exception {
        node.createChat("7131", "direct", "7132");
        node.createChat("7131", "direct", "7133");
        try (WsClient me = node.connectTyped("7131"); WsClient contact = node.connectTyped("7132")) {
            node.awaitOnline("7132");
            me.json(Map.of("type", "presence"));
            assertThat(me.awaitType("presence")).isEqualTo(JSON.readTree("""
                    {"type": "presence", "content": {"users": [
                      {"user_id": 7132, "online": true, "last_seen": null},
                      {"user_id": 7133, "online": false, "last_seen": null}], "has_more": false}}"""));

            me.json(Map.of("type", "presence", "content", Map.of("user_ids", List.of(7133, "7199", 7132))));
            JsonNode listed = me.awaitType("presence").at("/content/users");
            assertThat(listed.findValuesAsText("user_id")).containsExactly("7133", "7199", "7132");
            assertThat(listed.path(2).path("online").asBoolean()).isTrue();

            me.json(Map.of("type", "presence", "content", Map.of("user_ids", "7132")));
            JsonNode error = me.awaitType("error").path("content");
            assertThat(error.path("code").asInt()).isEqualTo(400);
            assertThat(error.path("request_type").asText()).isEqualTo("presence");
            assertThat(error.path("message").asText()).startsWith("content.user_ids");
            assertThat(me.isOpen()).as("a bad request keeps the socket").isTrue();
        }
    }

    /**
     * In {@code presence_offline_grace} after the last connection closed a user is still online,
     * as presence announces it; after it, offline since they left (not since the grace ended).
     */
    @Test
    void inTheOfflineGraceAUserIsStillOnlineAndLastSeenIsWhenTheyLeft() throws Exception {
        Duration grace = Duration.ofMillis(1500);
        try (TestNode graced = TestNode.start(b -> b.set(PRESENCE_OFFLINE_GRACE, grace))) {
            graced.createChat("7161", "direct", "7162");
            String asker = TestNode.token("7161");
            WsClient contact = graced.connectTyped("7162");
            graced.awaitOnline("7162");

            Instant closing = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            contact.close();
            while (graced.server().onlineUsers().isOnline("7162").join()) {
                Thread.sleep(5); // until the node has let the socket go
            }
            Instant gone = Instant.now();
            JsonNode inGrace = graced.presence(asker, "7162").path(0);
            if (Instant.now().isBefore(closing.plus(grace))) {
                assertThat(inGrace.path("online").asBoolean()).as("in the grace: %s", inGrace).isTrue();
            }
            JsonNode after = graced.awaitPresence(asker, "7162", entry -> !entry.path("online").asBoolean());
            assertThat(Duration.between(closing, Instant.now())).isGreaterThanOrEqualTo(grace.minusMillis(50));
            assertThat(Instant.parse(after.path("last_seen").asText())).isBetween(closing, gone);
        }
    }
}
