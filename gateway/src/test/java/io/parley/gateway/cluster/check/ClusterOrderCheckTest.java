package io.parley.gateway.cluster.check;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster checker: randomized rounds on three nodes, on each Redis topology, each round with
 * one fault the topology can suffer ({@link CheckedCluster.Topology}, in turn), every chat checked
 * by {@link OrderChecker}. The default run is short (one round per fault on one Redis, a failover
 * round on Sentinel and on Redis Cluster); the long run is
 * {@code mvn -pl gateway -am verify -Dtest=ClusterOrderCheckTest -Dsurefire.failIfNoSpecifiedTests=false -Dparley.check.rounds=200}
 * ({@code -Dparley.check.seed=} repeats a run: each round prints its seed;
 * {@code -Dparley.check.topologies=SENTINEL,REDIS_CLUSTER} runs only those).
 */
class ClusterOrderCheckTest {
    private static final Integer ROUNDS = Integer.getInteger("parley.check.rounds");
    private static final long SEED = Long.getLong("parley.check.seed", new Random().nextLong());
    /** Which topologies run, e.g. {@code -Dparley.check.topologies=SENTINEL,REDIS_CLUSTER}; all by default. */
    private static final String TOPOLOGIES = System.getProperty("parley.check.topologies", "");

    @ParameterizedTest
    @EnumSource(CheckedCluster.Topology.class)
    void everyMemberSeesHistorysOneOrderUnderFaults(CheckedCluster.Topology topology) throws Exception {
        Assumptions.assumeTrue(TOPOLOGIES.isBlank() || List.of(TOPOLOGIES.split(",")).contains(topology.name()),
                "parley.check.topologies=" + TOPOLOGIES);
        List<CheckRound.Fault> faults = ROUNDS == null ? topology.shortRun : topology.faults;
        int rounds = ROUNDS == null ? faults.size() : ROUNDS;
        List<String> violations = new ArrayList<>();
        int passed = 0;
        Random seeds = new Random(SEED);
        HttpClient http = HttpClient.newHttpClient();
        try (CheckedCluster cluster = new CheckedCluster(3, topology)) {
            for (int round = 1; round <= rounds; round++) {
                CheckRound check = new CheckRound(cluster, http, round, seeds.nextLong(), faults.get((round - 1) % faults.size()));
                long start = System.nanoTime();
                List<String> found = check.run();
                System.out.printf("cluster check on %s %s: %s in %d ms; %s%n", topology, check,
                        found.isEmpty() ? "passed" : "FAILED", (System.nanoTime() - start) / 1_000_000, check.summary());
                found.forEach(v -> System.out.println("  " + v));
                if (found.isEmpty()) {
                    passed++;
                }
                violations.addAll(found);
            }
        }
        System.out.printf("cluster check on %s: %d of %d rounds passed (seed %d)%n", topology, passed, rounds, SEED);
        assertThat(violations).as("%s: %d of %d rounds passed (seed %d)", topology, passed, rounds, SEED).isEmpty();
    }
}
