package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.LinkProxy;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.TestRedis;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.parley.gateway.cluster.ClusterChatTest.eventually;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node cut off from Redis while another removes a member and revokes a user misses both
 * notices; once its subscription is back it forgets what it had cached, so the removed member,
 * connected to it, neither receives the chat's messages there nor may send, and it applies the
 * stored revocations, closing the revoked user's socket.
 */
class ClusterMissedNoticeTest {

    @Test
    void aNodeThatMissedAMemberRemovalReadsTheChatAgainOnceItIsBack() throws Exception {
        try (TestPostgres postgres = TestPostgres.createSchema(); TestRedis redis = TestRedis.start();
             LinkProxy bLink = new LinkProxy(redis.port());
             TestNode a = node(1, postgres, redis.url());
             TestNode b = node(2, postgres, "redis://127.0.0.1:" + bLink.port())) {
            String chat = a.createChat("mn-owner", "group", "mn-gone", "mn-stays");
            try (WsClient owner = a.connectActions("mn-owner"); WsClient gone = b.connectActions("mn-gone");
                 WsClient stays = b.connectActions("mn-stays"); WsClient revoked = b.connectActions("mn-revoked")) {
                send(stays, chat, "before");
                gone.await(m -> m.toString().contains("before")); // b has the chat cached, gone a member

                double renewed = b.metric("parley_bus_resubscriptions_total");
                bLink.cut(Duration.ofSeconds(2));
                assertThat(a.rest("DELETE", "/api/v1/chats/" + chat + "/members/mn-gone", "mn-owner", null)
                        .statusCode()).isEqualTo(204); // its notice cannot reach b
                assertThat(a.service("POST", "/api/v1/users/mn-revoked/revoke", null).statusCode()).isEqualTo(204);
                assertThat(eventually(() -> b.metric("parley_bus_resubscriptions_total") > renewed))
                        .as("b's subscription came back").isTrue();

                send(stays, chat, "after");
                owner.await(m -> m.toString().contains("after"));
                assertThat(gone.receivesNothing(m -> m.toString().contains("after"), Duration.ofMillis(500)))
                        .as("b routed by the chat as stored, not as cached").isTrue();
                gone.json(Map.of("type", "send_message", "chat_id", chat, "text", "still here?"));
                assertThat(gone.awaitCode(403).toString()).contains("not a member");
                assertThat(revoked.awaitClose()).as("a revocation is stored: b applies it once back").isEqualTo(4003);
            }
        }
    }

    private static void send(WsClient sender, String chat, String text) {
        sender.json(Map.of("type", "send_message", "chat_id", chat, "text", text));
        JsonNode reply = sender.await(m -> "send_message".equals(m.path("type").asText()));
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isTrue();
    }

    private static TestNode node(int id, TestPostgres postgres, String redisUrl) {
        return TestNode.start(b -> b.set(NODE_ID, id).set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                .set(STORAGE_PASSWORD, postgres.password()).set(REDIS_URL, redisUrl));
    }
}
