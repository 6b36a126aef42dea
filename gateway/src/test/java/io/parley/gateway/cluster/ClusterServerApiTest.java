package io.parley.gateway.cluster;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WebhookReceiver;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server API in a cluster (PostgreSQL and Redis): what the application asks of one node —
 * disconnect, revoke, add or remove a member, close — holds for sockets on the other node too
 * (members told of a change there in their own dialects); and a message's webhook names as
 * offline exactly the members connected to no node.
 */
class ClusterServerApiTest {
    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2, b -> b.set(WEBHOOK_URL, receiver.url())
            .set(WEBHOOK_SECRET, "cluster-webhook-secret-0123456789abcdef"));

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void aMessagesWebhookNamesTheMembersConnectedToNoNode() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        String chat = a.serviceChat("{\"kind\":\"group\",\"members\":[\"cw-a\",\"cw-b\",\"cw-c\"]}");
        try (WsClient sender = a.connectActions("cw-a"); WsClient elsewhere = b.connectActions("cw-b")) {
            a.awaitOnline("cw-b");
            sender.json(Map.of("type", "send_message", "chat_id", chat, "text", "who is around?"));
            String id = sender.await(m -> m.toString().contains("who is around?")).at("/data/message/id").asText();
            elsewhere.await(m -> m.toString().contains("who is around?"));
            receiver.awaitDelivered(Set.of(id));
            JsonNode event = receiver.received().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow().json();
            assertThat(event.path("type").asText()).isEqualTo("message.created");
            assertThat(event.at("/data/offline_members").toString())
                    .as("cw-b is on the other node, cw-c on none").isEqualTo("[\"cw-c\"]");
        }
    }

    @Test
    void aDisconnectAskedOfOneNodeClosesTheUsersSocketsOnTheOther() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        try (WsClient elsewhere = b.connectTyped("cs-disc")) {
            assertThat(a.service("POST", "/api/v1/users/cs-disc/disconnect", null).statusCode()).isEqualTo(204);
            assertThat(elsewhere.await(m -> m.toString().contains("disconnected by the application")).toString())
                    .contains("403");
            assertThat(elsewhere.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void aRevocationAskedOfOneNodeClosesAndRefusesTheOldTokenOnTheOther() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        Instant issued = Instant.now().minusSeconds(30);
        String old = JWT.create().withSubject("cs-rev").withIssuedAt(issued).withExpiresAt(Instant.now().plusSeconds(600))
                .sign(Algorithm.HMAC256(TestNode.SECRET));
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + old);
        try (WsClient elsewhere = WsClient.connect(b.ws("/ws/chats/"), bearer)) {
            assertThat(a.service("POST", "/api/v1/users/cs-rev/revoke", "{\"before\":\"" + issued.plusSeconds(1) + "\"}")
                    .statusCode()).isEqualTo(204);
            assertThat(elsewhere.await(m -> m.toString().contains("revoked")).toString()).contains("401");
            assertThat(elsewhere.awaitClose()).isEqualTo(4003);
        }
        assertThat(WsClient.refusedStatus(b.ws("/ws/chats/"), bearer)).as("the other node refuses it too").isEqualTo(401);
    }

    @Test
    void membersChangedThroughOneNodeAreToldOnTheOtherAndTheRemovedStopsReceiving() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        String chat = a.serviceChat("{\"kind\":\"group\",\"members\":[\"cs-a\",\"cs-b\",\"cs-c\"]}");
        try (WsClient sender = a.connectActions("cs-a"); WsClient leaving = b.connectActions("cs-c");
             WsClient watcher = b.connectEvents("cs-b"); WsClient newcomer = b.connectTyped("cs-d")) {
            sender.json(Map.of("type", "send_message", "chat_id", chat, "text", "before"));
            leaving.await(m -> m.toString().contains("before")); // b has the chat cached with cs-c in it
            a.awaitOnline("cs-b"); // a routes to b's sockets once it knows them
            a.awaitOnline("cs-d");

            assertThat(a.service("POST", "/api/v1/chats/" + chat + "/members", "{\"user_id\":\"cs-d\"}").statusCode())
                    .isEqualTo(200);
            assertThat(newcomer.awaitType("member_joined").at("/content/user_id").asText())
                    .as("the one added, on the other node").isEqualTo("cs-d");
            assertThat(watcher.awaitName("Event.MemberChanged").at("/result/change").asText()).isEqualTo("joined");
            assertThat(sender.awaitType("member_joined").at("/data/user_id").asText()).isEqualTo("cs-d");

            assertThat(a.service("DELETE", "/api/v1/chats/" + chat + "/members/cs-c", null).statusCode()).isEqualTo(204);
            JsonNode removed = leaving.awaitType("member_left");
            assertThat(removed.at("/data/user_id").asText()).as("the one removed is told, on the other node")
                    .isEqualTo("cs-c");
            assertThat(removed.at("/data/removed_by").asText()).as("by the application, across nodes").isEqualTo("system");
            JsonNode left = watcher.awaitName("Event.MemberChanged");
            assertThat(left.at("/result/change").asText()).isEqualTo("left");
            assertThat(left.at("/result/user_id").asText()).isEqualTo("cs-c");
            assertThat(newcomer.awaitType("member_left").at("/content/user_id").asText()).isEqualTo("cs-c");

            sender.json(Map.of("type", "send_message", "chat_id", chat, "text", "after"));
            sender.await(m -> m.toString().contains("after"));
            newcomer.await(m -> m.toString().contains("after"));
            assertThat(leaving.receivesNothing(m -> m.toString().contains("after"), Duration.ofSeconds(1))).isTrue();
            leaving.json(Map.of("type", "send_message", "chat_id", chat, "text", "still here?"));
            assertThat(leaving.awaitCode(403).toString()).contains("not a member");
        }
    }

    @Test
    void aChatClosedThroughOneNodeRefusesSendsOnTheOther() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1);
        String chat = a.serviceChat("{\"kind\":\"booking\",\"members\":[\"cs-owner\",\"cs-sitter\"]}");
        try (WsClient sitter = b.connectActions("cs-sitter")) {
            sitter.json(Map.of("type", "send_message", "chat_id", chat, "text", "hello"));
            sitter.await(m -> m.toString().contains("hello")); // b has the chat cached, open
            assertThat(a.service("POST", "/api/v1/chats/" + chat + "/close", null).statusCode()).isEqualTo(200);
            sitter.await(m -> m.toString().contains("This chat is closed."));
            sitter.json(Map.of("type", "send_message", "chat_id", chat, "text", "one more"));
            assertThat(sitter.awaitCode(409).toString()).contains("closed");
        }
    }
}
