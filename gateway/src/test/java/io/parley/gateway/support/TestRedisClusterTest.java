package io.parley.gateway.support;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test cluster itself: Lettuce's cluster client spreads keys over its three masters, and after
 * a master is killed its replica takes over the master's slots with the data it had replicated.
 */
class TestRedisClusterTest {
    private static final int KEYS = 100;

    @Test
    void keysSpreadOverThreeMastersAndSurviveAFailover() throws Exception {
        long starting = System.nanoTime();
        try (TestRedisCluster redis = TestRedisCluster.start()) {
            long started = System.nanoTime();
            assertThat(redis.url()).startsWith("redis-cluster://");
            List<Integer> masters = redis.masterPorts();
            assertThat(masters).hasSize(3);
            List<RedisURI> uris = Arrays.stream(redis.url().substring("redis-cluster://".length()).split(","))
                    .map(address -> RedisURI.create("redis://" + address)).toList();
            assertThat(uris).extracting(RedisURI::getPort).containsExactlyInAnyOrderElementsOf(masters);
            // A command queued for the dead master times out in 2 s (not 60) and is retried.
            uris.forEach(uri -> uri.setTimeout(Duration.ofSeconds(2)));

            RedisClusterClient client = RedisClusterClient.create(uris);
            // As a node would: a MOVED or a lost connection makes Lettuce refresh its slot map at once, and it
            // refreshes every second anyway.
            client.setOptions(ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .build())
                    .build());
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                RedisAdvancedClusterCommands<String, String> commands = connection.sync();
                Map<Integer, Integer> keysPerMaster = new HashMap<>();
                for (int i = 1; i <= KEYS; i++) {
                    commands.set("k" + i, "v" + i);
                    assertThat(commands.get("k" + i)).isEqualTo("v" + i);
                    int master = redis.masterOf("k" + i);
                    // masterOf agrees with the cluster: that node serves the key itself, no MOVED.
                    assertThat(connection.getConnection("127.0.0.1", master).sync().get("k" + i)).isEqualTo("v" + i);
                    keysPerMaster.merge(master, 1, Integer::sum);
                }
                assertThat(keysPerMaster.keySet()).as("keys per master: " + keysPerMaster)
                        .containsExactlyInAnyOrderElementsOf(masters);

                int doomed = redis.masterOf("k1");
                // The replica must have the master's writes before the kill (replication is asynchronous):
                // WAIT on the node connection covers every write that master took before this one.
                RedisCommands<String, String> node = connection.getConnection("127.0.0.1", doomed).sync();
                node.set("k1", "v1");
                assertThat(node.waitForReplication(1, 5000)).as("replicas that acknowledged").isEqualTo(1L);

                long killed = System.nanoTime();
                redis.killMaster(doomed);
                redis.awaitHealthy(Duration.ofSeconds(30));
                long healthy = System.nanoTime();
                assertThat(redis.masterPorts()).hasSize(3).doesNotContain(doomed);
                assertThat(redis.masterOf("k1")).isNotEqualTo(doomed);

                assertThat(getEventually(commands, "k1", Duration.ofSeconds(30))).isEqualTo("v1");
                long served = System.nanoTime();
                for (int i = 1; i <= KEYS; i++) {
                    assertThat(commands.get("k" + i)).as("k" + i + " after the failover").isEqualTo("v" + i);
                }
                // The killed master comes back as a replica of its successor, so the cluster can fail over again.
                redis.restart(doomed);
                redis.awaitHealthy(Duration.ofSeconds(30));
                assertThat(redis.masterPorts()).hasSize(3).doesNotContain(doomed);
                int successor = redis.masterOf("k1");
                redis.killMaster(successor);
                redis.awaitHealthy(Duration.ofSeconds(30));
                assertThat(redis.masterOf("k1")).as("the restarted node took k1's slot back").isEqualTo(doomed);
                System.out.printf("[TestRedisClusterTest] cluster up in %d ms; healthy %d ms after the kill, "
                                + "k1 served again %d ms after it%n", (started - starting) / 1_000_000,
                        (healthy - killed) / 1_000_000, (served - killed) / 1_000_000);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    /** GET through the cluster client, retried until Lettuce has found the new master. */
    private static String getEventually(RedisAdvancedClusterCommands<String, String> commands, String key,
                                        Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return commands.get(key);
            } catch (RedisException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("GET " + key + " still failing after " + timeout, e);
                }
                Thread.sleep(200);
            }
        }
    }
}
