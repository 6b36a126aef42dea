package io.parley.loadtest.bench;

import io.parley.loadtest.ideal.IdealBroadcastServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle sockets on one node: how many it holds and what each costs, Parley beside the ideal Netty
 * server, in one run. Per server (each in its own JVM with the same heap settings): live heap
 * (after full GC) and RSS before, then {@code sockets} authenticated idle WebSockets from
 * {@code processes} client JVMs ({@link IdleClients}, source addresses 127.0.0.10, .11, ...), live
 * heap and RSS again; per socket = difference / sockets held. Parley's sockets are distinct users
 * on the {@code events} dialect with HS256 tokens; the node's own {@code parley_connections} is
 * checked against the clients' count.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar} (gateway/target/parley-gateway.jar),
 * {@code runs} (3), {@code sockets} (19000), {@code processes} (4), {@code settle} (5 s idle
 * before measuring), {@code servers} (parley,ideal).
 */
public final class IdleSocketsBenchmark {
    private static final Pattern HELD = Pattern.compile("held (\\d+) failed (\\d+)");
    /** A client process holds its sockets at most this long, whatever happens to us. */
    private static final long CLIENT_HOLD_SECONDS = 600;

    private IdleSocketsBenchmark() {
    }

    record Result(long held, long serverCount, double heapPerSocket, double rssPerSocket, long heapBefore,
                  long heapAfter, long rssBefore, long rssAfter) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar", "runs", "3",
                "sockets", "19000", "processes", "4", "settle", "5", "servers", "parley,ideal");
        System.out.printf(Locale.ROOT, "idle-sockets benchmark, %s, %d CPUs, load %s, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), FanoutBenchmark.loadAverage(), a);
        List<String> servers = List.of(a.get("servers").split(","));
        Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
        for (int run = 1; run <= a.integer("runs"); run++) {
            for (String server : servers) {
                Result r = runOnce(a, server);
                results.computeIfAbsent(server, s -> new ArrayList<>()).add(r);
                System.out.printf(Locale.ROOT, "run %d %s: held %d (server counts %d) | live heap %.2f KiB/socket"
                                + " (%d -> %d MiB) | RSS %.2f KiB/socket (%d -> %d MiB) | load %s%n", run, server,
                        r.held(), r.serverCount(), r.heapPerSocket() / 1024, r.heapBefore() >> 20, r.heapAfter() >> 20,
                        r.rssPerSocket() / 1024, r.rssBefore() >> 20, r.rssAfter() >> 20, FanoutBenchmark.loadAverage());
            }
        }
        results.forEach((server, rs) -> System.out.printf(Locale.ROOT,
                "median of %d, %s: held %.0f, live heap %.2f KiB/socket, RSS %.2f KiB/socket%n", rs.size(), server,
                FanoutBenchmark.median(rs.stream().mapToDouble(Result::held).toArray()),
                FanoutBenchmark.median(rs.stream().mapToDouble(Result::heapPerSocket).toArray()) / 1024,
                FanoutBenchmark.median(rs.stream().mapToDouble(Result::rssPerSocket).toArray()) / 1024));
    }

    private static Result runOnce(BenchArgs a, String server) throws Exception {
        boolean parley = server.equals("parley");
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        Path log = Files.createTempFile("parley-idle-" + server + "-", ".log");
        System.out.println(server + " log: " + log);
        GatewayProcess node = null;
        ChildJvm ideal = null;
        try {
            int port;
            long pid;
            if (parley) {
                node = GatewayProcess.start(Path.of(a.get("jar")), Map.of("PARLEY_JWT_SECRET", secret), log);
                port = node.port();
                pid = node.pid();
            } else {
                port = ChildJvm.freePort();
                ideal = ChildJvm.startMain("the ideal server", GatewayProcess.SERVER_JVM_ARGS, IdealBroadcastServer.class,
                        List.of(Integer.toString(port)), Map.of(), log);
                ideal.awaitPort(port, Duration.ofSeconds(30));
                pid = ideal.pid();
            }
            Thread.sleep(2_000);
            long heapBefore = ProcessMemory.liveHeapBytes(pid);
            long rssBefore = ProcessMemory.rssBytes(pid);

            int sockets = a.integer("sockets");
            int processes = a.integer("processes");
            List<ChildJvm> clients = new ArrayList<>();
            List<CompletableFuture<long[]>> reports = new ArrayList<>();
            try {
                for (int i = 0; i < processes; i++) {
                    int first = i * sockets / processes;
                    int count = (i + 1) * sockets / processes - first;
                    ChildJvm c = ChildJvm.startMain("idle clients " + i, List.of("-Xmx512m"), IdleClients.class,
                            List.of(Integer.toString(port), Integer.toString(first), Integer.toString(count),
                                    "127.0.0." + (10 + i), Long.toString(CLIENT_HOLD_SECONDS), server),
                            Map.of("PARLEY_JWT_SECRET", secret), null);
                    clients.add(c);
                    reports.add(CompletableFuture.supplyAsync(() -> awaitHeld(c)));
                }
                long held = 0;
                for (CompletableFuture<long[]> r : reports) {
                    long[] heldFailed = r.get(300, TimeUnit.SECONDS);
                    held += heldFailed[0];
                    if (heldFailed[1] > 0) {
                        System.out.println("  a client process failed to open " + heldFailed[1] + " sockets");
                    }
                }
                Thread.sleep(a.integer("settle") * 1000L);
                long serverCount = parley ? node.connections() : held;
                long heapAfter = ProcessMemory.liveHeapBytes(pid);
                long rssAfter = ProcessMemory.rssBytes(pid);
                return new Result(held, serverCount, (double) (heapAfter - heapBefore) / held,
                        (double) (rssAfter - rssBefore) / held, heapBefore, heapAfter, rssBefore, rssAfter);
            } finally {
                for (ChildJvm c : clients) {
                    c.close(); // closes its stdin: it closes its sockets and exits
                }
            }
        } finally {
            if (node != null) {
                node.close();
            }
            if (ideal != null) {
                ideal.close();
            }
        }
    }

    /** Reads a client's output until its {@code held <n> failed <m>} line; echoes anything else. */
    private static long[] awaitHeld(ChildJvm client) {
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(client.process().getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = HELD.matcher(line);
                if (m.find()) {
                    // Keep draining its output in the background so it never blocks on a full pipe.
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) {
                                // discard
                            }
                        } catch (java.io.IOException closed) {
                            // the process is gone
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
                }
                System.out.println("  client: " + line);
            }
            throw new IllegalStateException("a client process exited before reporting");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
