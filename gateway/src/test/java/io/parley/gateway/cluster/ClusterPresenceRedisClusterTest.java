package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.bus.RedisKeys;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.TestRedisCluster;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;

import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence snapshots on Redis Cluster: the users' last seen keys lie on slots of their own (on
 * different masters), the hidden sets on their node's slot; one snapshot reads them all.
 */
class ClusterPresenceRedisClusterTest {

    @Test
    void aSnapshotReadsUsersWhoseKeysLieOnDifferentMasters() throws Exception {
        try (TestRedisCluster redis = TestRedisCluster.start(); TestPostgres postgres = TestPostgres.createSchema();
             TestNode a = node(1, postgres, redis); TestNode b = node(2, postgres, redis)) {
            assertThat(Stream.of("rc-p1", "rc-p2", "rc-p3").map(user -> redis.masterOf(RedisKeys.userLastSeen(user))).distinct())
                    .as("the users' keys lie on more than one master").hasSizeGreaterThan(1);
            String service = TestNode.serviceToken();
            WsClient staying = a.connectTyped("rc-p1");
            WsClient hiding = a.connectTyped("rc-p2");
            WsClient leaving = b.connectTyped("rc-p3");
            for (String user : new String[] {"rc-p1", "rc-p2", "rc-p3"}) {
                b.awaitOnline(user);
            }
            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            hiding.json(Map.of("type", "set_offline", "content", Map.of()));
            leaving.close();
            a.awaitPresence(service, "rc-p3", entry -> !entry.path("online").asBoolean());
            b.awaitPresence(service, "rc-p2", entry -> !entry.path("online").asBoolean());

            JsonNode all = a.presence(service, "rc-p1", "rc-p2", "rc-p3", "rc-p4");
            assertThat(all.findValuesAsText("online")).containsExactly("true", "false", "false", "false");
            assertThat(all.path(0).path("last_seen").isNull()).isTrue();
            assertThat(Instant.parse(all.path(1).path("last_seen").asText())).isBetween(before, Instant.now());
            assertThat(Instant.parse(all.path(2).path("last_seen").asText())).isBetween(before, Instant.now());
            assertThat(all.path(3).path("last_seen").isNull()).as("never seen").isTrue();
            staying.close();
            hiding.close();
        }
    }

    private static TestNode node(int id, TestPostgres postgres, TestRedisCluster redis) {
        return TestNode.start(b -> b.set(NODE_ID, id).set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                .set(STORAGE_PASSWORD, postgres.password()).set(REDIS_URL, redis.url()));
    }
}
