package io.parley.gateway.cluster.check;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster checker: randomized rounds on three nodes, each round with one fault
 * ({@link CheckRound.Fault}, in turn), every chat checked by {@link OrderChecker}. The default run
 * is short (one round per fault); the long run is
 * {@code mvn -pl gateway -am verify -Dtest=ClusterOrderCheckTest -Dsurefire.failIfNoSpecifiedTests=false -Dparley.check.rounds=200}
 * ({@code -Dparley.check.seed=} repeats a run: each round prints its seed).
 */
class ClusterOrderCheckTest {
    private static final int ROUNDS = Integer.getInteger("parley.check.rounds", CheckRound.Fault.values().length);
    private static final long SEED = Long.getLong("parley.check.seed", new Random().nextLong());

    @Test
    void everyMemberSeesHistorysOneOrderUnderFaults() throws Exception {
        List<String> violations = new ArrayList<>();
        int passed = 0;
        Random seeds = new Random(SEED);
        HttpClient http = HttpClient.newHttpClient();
        try (CheckedCluster cluster = new CheckedCluster(3)) {
            CheckRound.Fault[] faults = CheckRound.Fault.values();
            for (int round = 1; round <= ROUNDS; round++) {
                CheckRound check = new CheckRound(cluster, http, round, seeds.nextLong(), faults[(round - 1) % faults.length]);
                long start = System.nanoTime();
                List<String> found = check.run();
                System.out.printf("cluster check %s: %s in %d ms; %s%n", check, found.isEmpty() ? "passed" : "FAILED",
                        (System.nanoTime() - start) / 1_000_000, check.summary());
                found.forEach(v -> System.out.println("  " + v));
                if (found.isEmpty()) {
                    passed++;
                }
                violations.addAll(found);
            }
        }
        System.out.printf("cluster check: %d of %d rounds passed (seed %d)%n", passed, ROUNDS, SEED);
        assertThat(violations).as("%d of %d rounds passed (seed %d)", passed, ROUNDS, SEED).isEmpty();
    }
}
