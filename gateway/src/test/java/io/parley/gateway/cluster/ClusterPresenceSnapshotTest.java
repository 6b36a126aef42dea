package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence snapshots across three nodes on one Redis: asked on any node, a user connected to
 * another is online, hidden there is offline, and once gone has the last seen of the moment they
 * left, also when the node they were on was killed (the peer that removes it writes it).
 */
class ClusterPresenceSnapshotTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(3);

    @Test
    void aUserConnectedToNodeAIsOnlineOnNodeCAndOfflineOnNodeBOnceGone() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        a.createChat("8101", "direct", "8102");
        String asker = TestNode.token("8101");
        WsClient onA = a.connectTyped("8102");
        c.awaitOnline("8102");
        assertThat(c.presence(asker, "8102").path(0).path("online").asBoolean()).as("asked on node c").isTrue();

        Instant closing = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        onA.close();
        JsonNode gone = b.awaitPresence(asker, "8102", entry -> !entry.path("online").asBoolean());
        Instant lastSeen = Instant.parse(gone.path("last_seen").asText());
        assertThat(lastSeen).as("asked on node b").isBetween(closing, Instant.now());
        assertThat(c.presence(asker, "8102").path(0)).as("the same on every node").isEqualTo(gone);

        try (RedisClient client = RedisClient.create(cluster.redis.url());
             StatefulRedisConnection<String, String> redis = client.connect()) {
            assertThat(redis.sync().pttl("parley:user:8102:last_seen")).as("kept with a TTL")
                    .isPositive().isLessThanOrEqualTo(Duration.ofDays(30).toMillis());
        }
    }

    @Test
    void hiddenOnOneNodeIsOfflineUnlessShownOnAnother() throws Exception {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        a.createChat("8111", "direct", "8112");
        String asker = TestNode.token("8111");
        WsClient onA = a.connectTyped("8112");
        c.awaitOnline("8112");

        Instant hiding = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        onA.json(Map.of("type", "set_offline", "content", Map.of()));
        JsonNode hidden = c.awaitPresence(asker, "8112", entry -> !entry.path("online").asBoolean());
        assertThat(Instant.parse(hidden.path("last_seen").asText())).isBetween(hiding, Instant.now());

        WsClient onB = b.connectTyped("8112"); // a visible connection elsewhere shows the user again
        c.awaitPresence(asker, "8112", entry -> entry.path("online").asBoolean());
        Instant closing = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        onB.close();
        JsonNode gone = c.awaitPresence(asker, "8112", entry -> !entry.path("online").asBoolean());
        assertThat(Instant.parse(gone.path("last_seen").asText())).isBetween(closing, Instant.now());
        onA.close();
    }

    @Test
    void theUsersOfAKilledNodeGetALastSeenFromThePeerThatRemovesIt() throws Exception {
        TestNode b = cluster.node(1);
        NodeProcess doomed = NodeProcess.start(Map.of(
                "PARLEY_NODE_ID", "13",
                "PARLEY_NODE_TTL", "2s", // its peers give up on it 2 s after its last heartbeat
                "PARLEY_STORAGE_URL", cluster.postgres.url(),
                "PARLEY_STORAGE_USER", cluster.postgres.user(),
                "PARLEY_STORAGE_PASSWORD", cluster.postgres.password(),
                "PARLEY_REDIS_URL", cluster.redis.url()));
        try (doomed) {
            WsClient onlyThere = WsClient.connect(doomed.ws("/ws/chats/"), TestNode.bearer("8122"));
            b.awaitOnline("8122");
            Instant killing = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            doomed.kill(); // SIGKILL: no close, no leave; its users stay in Redis until a peer removes the node
            onlyThere.awaitClose();

            // The peers look for dead nodes every third of their own node_ttl: allow a few rounds.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JsonNode entry = b.presence(TestNode.serviceToken(), "8122").path(0);
            while (entry.path("online").asBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                entry = b.presence(TestNode.serviceToken(), "8122").path(0);
            }
            assertThat(entry.path("online").asBoolean()).as("offline once its node is removed").isFalse();
            assertThat(Instant.parse(entry.path("last_seen").asText())).isBetween(killing, Instant.now());
        }
    }
}
