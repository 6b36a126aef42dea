package io.parley.loadtest.bench;

import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Durable sends against the database's own limits, in one run on one machine:
 * <ol>
 *   <li>the raw ceiling: COPY of the same rows into a copy of the messages table, 1,000 per commit;</li>
 *   <li>a naive writer: one INSERT per commit;</li>
 *   <li>Parley end to end: a node in its own JVM ({@code java -jar parley-gateway.jar}) on the same
 *       PostgreSQL, many WebSocket clients sending and awaiting acks (an ack means committed):
 *       the maximum rate (closed loop), then p50/p99 ack latency at half of it (open loop,
 *       HdrHistogram, latency from each send's intended time).</li>
 * </ol>
 * Each run works in a fresh schema (dropped afterwards). Prints each run and the medians, and per
 * phase the node's own view and the CPU per message of the node, this client, PostgreSQL and
 * Redis ({@link CpuShares}).
 *
 * <p>Arguments ({@code key=value}, all optional): {@code url} (jdbc:postgresql://127.0.0.1:5432/test),
 * {@code user} (postgres), {@code password} (empty), {@code jar} (gateway/target/parley-gateway.jar),
 * {@code runs} (3), {@code clients} (100), {@code window} (32 sends in flight per client),
 * {@code seconds} (10 per measured phase), {@code threads} (2 client event loops),
 * {@code checkpoint} (true: a PostgreSQL {@code CHECKPOINT} just before the open-loop phase, so a
 * checkpoint forced by the maximum's WAL does not land in it; see {@link DatabaseCheckpoints}).
 */
public final class DurableSendsBenchmark {

    private DurableSendsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse(args, "url", "jdbc:postgresql://127.0.0.1:5432/test", "user", "postgres",
                "password", "", "jar", "gateway/target/parley-gateway.jar", "runs", "3", "clients", "100",
                "window", "32", "seconds", "10", "threads", "2", "checkpoint", "true");
        Path jar = Path.of(a.get("jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath() + " missing: run mvn -q -DskipTests package first");
        }
        int runs = a.integer("runs");
        Duration phase = Duration.ofSeconds(a.integer("seconds"));
        List<double[]> results = new ArrayList<>();
        System.out.printf(Locale.ROOT, "durable sends benchmark, %s, %d CPUs, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), a);
        for (int run = 1; run <= runs; run++) {
            double[] r = runOnce(a, jar, phase, run);
            results.add(r);
            System.out.printf(Locale.ROOT, "run %d: COPY %.0f rows/s | naive %.0f rows/s | Parley max %.0f msg/s"
                            + " | at %.0f msg/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms | refused %.0f%n",
                    run, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
        }
        double copy = median(results, 0);
        double naive = median(results, 1);
        double parley = median(results, 2);
        System.out.printf(Locale.ROOT, "median of %d: COPY %.0f rows/s, naive %.0f rows/s, Parley %.0f msg/s"
                        + " (%.0f%% of COPY, %.1fx naive), p99 ack %.2f ms at %.0f msg/s (p50 %.2f ms)%n",
                runs, copy, naive, parley, 100 * parley / copy, parley / naive, median(results, 5),
                median(results, 3), median(results, 4));
    }

    /** @return COPY, naive, Parley max, paced rate, p50 ms, p99 ms, max ms, refused */
    private static double[] runOnce(BenchArgs a, Path jar, Duration phase, int run) throws Exception {
        String url = a.get("url");
        String user = a.get("user");
        String password = a.get("password");
        String schema = "parley_bench_" + Long.toString(System.currentTimeMillis(), 36);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String nodeUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path log = Files.createTempFile("parley-bench-node-", ".log");
        try (GatewayProcess node = GatewayProcess.start(jar, nodeUrl, user, password, log)) {
            // The node has migrated the schema: the baselines copy its messages table.
            DatabaseBaselines db = new DatabaseBaselines(url, user, password, schema);
            int chats = a.integer("clients");
            db.copyCeiling(20_000, 1_000, chats); // warm-up
            double copy = db.copyCeiling(200_000, 1_000, chats);
            double naive = db.naiveInserts(5, chats);
            try (SendLoad load = new SendLoad(node, chats, 1_000_000L * run, a.integer("threads"))) {
                load.maxRate(Duration.ofSeconds(5), a.integer("window")); // warm-up
                long refusedBefore = load.refused();
                NodeMetrics atStart = NodeMetrics.scrape(node);
                CpuShares cpuAtStart = CpuShares.snapshot(Map.of("node", node.pid()));
                long maxStart = System.nanoTime();
                double max = load.maxRate(phase, a.integer("window"));
                double maxSeconds = (System.nanoTime() - maxStart) / 1e9;
                NodeMetrics afterMax = NodeMetrics.scrape(node);
                System.out.println("at the maximum, " + afterMax.historySince(atStart) + "; "
                        + CpuShares.snapshot(Map.of("node", node.pid())).perMessageSince(cpuAtStart, max * maxSeconds,
                        maxSeconds));
                if (load.refused() > refusedBefore) {
                    // A refused send frees its window slot at once: the "max" would count refusals' pace.
                    System.out.println("WARNING: " + (load.refused() - refusedBefore) + " sends refused at the maximum "
                            + load.refusedByCode() + "; the maximum is not the durable path's");
                }
                double half = max / 2;
                DatabaseCheckpoints checkpoints = new DatabaseCheckpoints(url, user, password,
                        Boolean.parseBoolean(a.get("checkpoint")));
                long checkpointsBefore = checkpoints.beforePhase();
                NodeMetrics beforeHalf = NodeMetrics.scrape(node);
                CpuShares cpuBeforeHalf = CpuShares.snapshot(Map.of("node", node.pid()));
                Histogram h = load.paced(half, phase);
                System.out.println("at half the maximum, " + NodeMetrics.scrape(node).historySince(beforeHalf)
                        + "; " + checkpoints.begunSince(checkpointsBefore) + "; "
                        + CpuShares.snapshot(Map.of("node", node.pid())).perMessageSince(cpuBeforeHalf,
                        half * phase.toSeconds(), phase.toSeconds()));
                if (load.refused() > 0) {
                    System.out.println("refused sends by error code: " + load.refusedByCode());
                }
                return new double[] {copy, naive, max, half, h.getValueAtPercentile(50) / 1e3,
                        h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3, load.refused()};
            }
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
            System.out.println("node log: " + log);
        }
    }

    private static double median(List<double[]> results, int index) {
        double[] values = results.stream().mapToDouble(r -> r[index]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
