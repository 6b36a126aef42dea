package io.parley.loadtest.bench;

import io.parley.loadtest.client.Tokens;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
import io.parley.loadtest.ideal.IdealBroadcastServer;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Durable ping-pong: {@code pairs} pairs of users, one direct chat each, one message in flight per
 * pair ({@link PingPongLoad}); a round trip is two messages, each committed before it is
 * acknowledged and delivered. Measured in one run on the same client code and sockets: the ideal
 * server (a room per pair, nothing stored), Parley on its embedded store, and Parley on
 * PostgreSQL. Reports round trips per second, their p50/p99, and the server's CPU per round trip
 * (for PostgreSQL, the node's and the database's).
 *
 * <p>Parley: {@code typed} dialect, direct chat {@code a<i>_b<i>} (no set-up: the first message
 * opens it), HS256 tokens minted here from a random secret.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar} (gateway/target/parley-gateway.jar),
 * {@code runs} (3), {@code pairs} (500), {@code warmup} (at least 15 s, longer until the server's JIT
 * compiler is quiet, at most {@code warmupmax}, 180 s), {@code seconds} (10),
 * {@code threads} (2 client event loops), {@code servers} (ideal,embedded,postgres), {@code url}
 * (jdbc:postgresql://127.0.0.1:5432/test), {@code user} (postgres), {@code password} (empty).
 */
public final class PingPongBenchmark {

    private PingPongBenchmark() {
    }

    /** One server's figures in one run: round trips/s, their times, CPU seconds per second of the server (and its database). */
    record Result(double roundTrips, Histogram times, double serverCores, double databaseCores, long errors,
                  JitCompiler.WarmUp warmUp) {
        double cpuMicrosPerRoundTrip() {
            return (serverCores + databaseCores) / roundTrips * 1e6;
        }
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar", "runs", "3", "pairs", "500",
                "warmup", "15", "warmupmax", "180", "seconds", "10", "threads", "2", "servers", "ideal,embedded,postgres",
                "url", "jdbc:postgresql://127.0.0.1:5432/test", "user", "postgres", "password", "");
        System.out.printf(Locale.ROOT, "ping-pong benchmark, %s, %d CPUs, load %s, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), FanoutBenchmark.loadAverage(), a);
        List<String> servers = List.of(a.get("servers").split(","));
        List<Map<String, Result>> runs = new ArrayList<>();
        for (int run = 1; run <= a.integer("runs"); run++) {
            Map<String, Result> results = new LinkedHashMap<>();
            for (String server : servers) {
                Result r = switch (server) {
                    case "ideal" -> ideal(a);
                    case "embedded" -> parley(a, Map.of());
                    case "postgres" -> postgres(a);
                    default -> throw new IllegalArgumentException("unknown server " + server
                            + "; one of ideal, embedded, postgres");
                };
                print("run " + run + " " + server, r);
                results.put(server, r);
            }
            runs.add(results);
        }
        for (String server : servers) {
            System.out.printf(Locale.ROOT, "median of %d, %s: %.0f round trips/s, p50 %.2f p99 %.2f ms,"
                            + " %.1f us server CPU per round trip%s%n", runs.size(), server,
                    median(runs, server, Result::roundTrips), median(runs, server, r -> ms(r.times(), 50)),
                    median(runs, server, r -> ms(r.times(), 99)), median(runs, server, Result::cpuMicrosPerRoundTrip),
                    server.equals("ideal") || !servers.contains("ideal") ? "" : String.format(Locale.ROOT,
                            " (%.1f%% of the ideal's round trips/s)", 100 * FanoutBenchmark.median(runs.stream()
                                    .mapToDouble(r -> r.get(server).roundTrips() / r.get("ideal").roundTrips()).toArray())));
        }
    }

    private static Result ideal(BenchArgs a) throws Exception {
        int port = ChildJvm.freePort();
        Path log = Files.createTempFile("parley-pingpong-ideal-", ".log");
        try (ChildJvm server = ChildJvm.startMain("the ideal server", GatewayProcess.SERVER_JVM_ARGS,
                IdealBroadcastServer.class, List.of(Integer.toString(port)), Map.of(), log)) {
            server.awaitPort(port, Duration.ofSeconds(30));
            return play(a, pair -> URI.create("ws://127.0.0.1:" + port + "/pair/" + pair), null,
                    (pair, text) -> text, server.pid(), null);
        }
    }

    private static Result postgres(BenchArgs a) throws Exception {
        String schema = "parley_pingpong_" + Long.toString(System.currentTimeMillis(), 36);
        try (Connection c = DriverManager.getConnection(a.get("url"), a.get("user"), a.get("password"));
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            try {
                String url = a.get("url") + (a.get("url").contains("?") ? "&" : "?") + "currentSchema=" + schema;
                return parley(a, Map.of("PARLEY_STORAGE_URL", url, "PARLEY_STORAGE_USER", a.get("user"),
                        "PARLEY_STORAGE_PASSWORD", a.get("password")));
            } finally {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
                // The run's WAL is flushed now, not by a checkpoint inside the next server's phase.
                s.execute("CHECKPOINT");
            }
        }
    }

    private static Result parley(BenchArgs a, Map<String, String> storage) throws Exception {
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        Tokens tokens = new Tokens(secret, Duration.ofHours(2));
        Map<String, String> env = new LinkedHashMap<>(GatewayProcess.with(GatewayProcess.UNLIMITED_SENDS,
                "PARLEY_JWT_SECRET", secret));
        env.putAll(storage);
        Path log = Files.createTempFile("parley-pingpong-node-", ".log");
        System.out.println("node log: " + log);
        try (GatewayProcess node = GatewayProcess.start(Path.of(a.get("jar")), env, log)) {
            URI uri = node.uri("/ws/chats/", "ws");
            return play(a, pair -> uri, side -> tokens.user(side),
                    (pair, text) -> "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"a" + pair
                            + "_b" + pair + "\",\"message\":\"" + text + "\",\"reply_to\":null}}", node.pid(), node);
        }
    }

    /** Opens the pairs, warms up, measures; {@code tokenOf} is null for a server without auth. */
    private static Result play(BenchArgs a, java.util.function.IntFunction<URI> uriOf,
                               java.util.function.Function<String, String> tokenOf, PingPongLoad.Frames frames,
                               long serverPid, GatewayProcess node) throws Exception {
        int pairs = a.integer("pairs");
        PingPongLoad load = new PingPongLoad(frames);
        try (LoadClient client = new LoadClient(a.integer("threads"))) {
            List<CompletableFuture<WsConnection>> pingers = new ArrayList<>();
            List<CompletableFuture<WsConnection>> pongers = new ArrayList<>();
            Semaphore handshakes = new Semaphore(100); // a bounded connection storm
            for (int i = 0; i < pairs; i++) {
                pongers.add(open(client, handshakes, uriOf.apply(i), tokenOf, "b" + i, load.ponger(i)));
                pingers.add(open(client, handshakes, uriOf.apply(i), tokenOf, "a" + i, load.pinger(i)));
            }
            List<WsConnection> sideA = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                pongers.get(i).get(60, TimeUnit.SECONDS);
                sideA.add(pingers.get(i).get(60, TimeUnit.SECONDS));
            }
            for (int i = 0; i < pairs; i++) {
                load.ping(sideA.get(i), i);
            }
            JitCompiler.WarmUp warmUp = new JitCompiler(serverPid).warmUp(Duration.ofSeconds(a.integer("warmup")),
                    Duration.ofSeconds(a.integer("warmupmax")), d -> load.measure(d, new Histogram(3)));
            NodeMetrics nodeBefore = node == null ? null : NodeMetrics.scrape(node);
            Histogram times = new Histogram(3);
            CpuShares before = CpuShares.snapshot(Map.of("server", serverPid));
            long start = System.nanoTime();
            double rate = load.measure(Duration.ofSeconds(a.integer("seconds")), times);
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuShares after = CpuShares.snapshot(Map.of("server", serverPid));
            if (node != null) {
                NodeMetrics nodeAfter = NodeMetrics.scrape(node);
                System.out.println("  " + nodeAfter.historySince(nodeBefore) + "; "
                        + nodeAfter.memorySince(nodeBefore, 2 * times.getTotalCount(), "message"));
            }
            load.stop();
            if (load.firstError() != null) {
                System.out.println("  first error frame: " + load.firstError());
            }
            return new Result(rate, times, after.cpuSecondsSince(before, "server") / seconds,
                    after.cpuSecondsSince(before, "postgres") / seconds, load.errors(), warmUp);
        }
    }

    private static CompletableFuture<WsConnection> open(LoadClient client, Semaphore handshakes, URI uri,
                                                         java.util.function.Function<String, String> tokenOf,
                                                         String user, LoadClient.Listener listener) throws InterruptedException {
        handshakes.acquire();
        return client.connect(uri, null, tokenOf == null ? null : tokenOf.apply(user), listener)
                .whenComplete((c, e) -> handshakes.release());
    }

    private static void print(String label, Result r) {
        System.out.printf(Locale.ROOT, "%s: %.0f round trips/s, p50 %.2f p99 %.2f p999 %.2f ms | server %.2f cores"
                        + " + database %.2f cores: %.1f us CPU per round trip | errors %d | %s%n", label, r.roundTrips(),
                ms(r.times(), 50), ms(r.times(), 99), ms(r.times(), 99.9), r.serverCores(), r.databaseCores(),
                r.cpuMicrosPerRoundTrip(), r.errors(), r.warmUp());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static double median(List<Map<String, Result>> runs, String server,
                                 java.util.function.ToDoubleFunction<Result> figure) {
        return FanoutBenchmark.median(runs.stream().mapToDouble(r -> figure.applyAsDouble(r.get(server))).toArray());
    }
}
