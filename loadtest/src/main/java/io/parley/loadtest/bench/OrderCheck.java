package io.parley.loadtest.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Figure {@code order}: the chat ordering guarantee checked from the packaged jar, as a bug
 * report's scenario describes it. An invariant checker, not a benchmark: per run it prints PASS or
 * FAIL with the concrete violation, then {@code order: N of M runs passed}, and exits non-zero if
 * a run failed.
 *
 * <p>Set-up, kept for all runs ({@link OrderCluster}): three nodes ({@code PARLEY_NODE_ID} 1..3)
 * from the jar on one fresh PostgreSQL schema and one {@code redis-server} the runner starts
 * itself without persistence (so that it can restart it empty), one shared random token secret,
 * per-socket rate limits lifted.
 *
 * <p>Per run ({@link OrderScenario}): six fresh users of dialect {@code actions} (UUIDs, tokens
 * minted here), two on each node; the first creates a group chat of all six ({@code create_chat}).
 * Phase 1: all six at once (released by one latch) send {@code <user>#0..19} as fast as their
 * sockets go, resting 5 ms after every fifth; every ack must come back ok within 30 s; after
 * {@code pause} seconds history is read over REST ({@link ChatHistory}) and compared. Phase 2
 * ({@code restart=true}): Redis is stopped, started again empty on its port a second later, the
 * nodes get 5 s to reconnect and register their users again, then the same with
 * {@code <user>#20..39}; phase 2 is compared alone and both phases together. The comparisons
 * ({@link OrderInvariants}): history holds every acknowledged message exactly once; each sender's
 * messages appear in history in the order its socket sent them; every member's received sequence
 * (its {@code new_message} pushes and its own acks, in arrival order) is exactly history; so all
 * members agree. Messages print as {@code u<k>#<index>}; each run prints which user {@code u<k>}
 * is (and on which node), and on failure the chat, the schema (kept when a run failed) and the logs.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar}, {@code storage}
 * (jdbc:postgresql://127.0.0.1:5432/test), {@code user} (postgres), {@code password} (empty),
 * {@code redis-server} (the binary, found on PATH), {@code runs} (50), {@code restart} (true: with
 * phase 2), {@code pause} (3 seconds between the last ack and reading history). Everything the
 * runner starts is stopped when it ends, also on failure or Ctrl-C.
 */
final class OrderCheck {
    private static final int NODES = 3;

    private OrderCheck() {
    }

    static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar",
                "storage", "jdbc:postgresql://127.0.0.1:5432/test", "user", "postgres", "password", "",
                "redis-server", "redis-server", "runs", "50", "restart", "true", "pause", "3");
        System.out.printf(Locale.ROOT, "order check, %s, %d CPUs, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), a);
        int runs = a.integer("runs");
        int passed = 0;
        OrderCluster cluster = new OrderCluster(a.get("storage"), a.get("user"), a.get("password"));
        Thread stopAll = new Thread(() -> stop(cluster), "order-check-stop");
        Runtime.getRuntime().addShutdownHook(stopAll);
        try {
            cluster.start(Path.of(a.get("jar")), a.get("redis-server"), NODES);
            OrderScenario scenario = new OrderScenario(cluster, Duration.ofMillis(Math.round(a.number("pause") * 1000)),
                    Boolean.parseBoolean(a.get("restart")));
            for (int run = 1; run <= runs; run++) {
                String dead = cluster.deadNode();
                if (dead != null) {
                    System.out.println("stopping after " + (run - 1) + " runs: " + dead);
                    break;
                }
                String name = "run " + run + "/" + runs;
                long began = System.nanoTime();
                boolean ok;
                try {
                    ok = scenario.run(name);
                } catch (Exception e) {
                    System.out.println(name + ": broke off: " + e + "; node logs " + cluster.nodeLogs
                            + ", Redis log " + cluster.redisLog);
                    ok = false;
                }
                System.out.printf(Locale.ROOT, "%s: %s (%.1f s)%n", name, ok ? "PASS" : "FAIL",
                        (System.nanoTime() - began) / 1e9);
                if (ok) {
                    passed++;
                } else {
                    cluster.keepSchema();
                }
            }
        } finally {
            stop(cluster);
            try {
                Runtime.getRuntime().removeShutdownHook(stopAll);
            } catch (IllegalStateException alreadyStopping) {
                // the hook is running
            }
        }
        System.out.println("order: " + passed + " of " + runs + " runs passed");
        if (passed < runs) {
            System.exit(1);
        }
    }

    /**
     * Stops the cluster, then any child process still running: one started while the JVM was told
     * to stop (Ctrl-C during start-up) is not in the cluster yet. Every child of this JVM is one the
     * runner started: exec:java runs it inside Maven's JVM, which starts none of its own meanwhile.
     */
    private static void stop(OrderCluster cluster) {
        cluster.close();
        ProcessHandle.current().children().forEach(ProcessHandle::destroy);
    }
}
