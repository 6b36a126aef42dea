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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out to one big chat, Parley beside the ideal broadcast baseline, in one run on the same
 * machine with the same client code and the same number of sockets.
 *
 * <p>Parley: a node in its own JVM (embedded store, HS256 tokens minted here from a random
 * secret), one support conversation whose members are the customer and {@code members - 1} staff
 * users (staff join a support chat by reading it; a group chat is capped at 101 members). Receivers:
 * every staff socket plus a second socket of the customer (a user's own message reaches their
 * other devices), {@code members} in all; the customer's first socket sends. Baseline:
 * {@link IdealBroadcastServer} in its own JVM, the same number of receivers plus one sender, fed
 * frames padded to the size of Parley's pushes.
 *
 * <p>Per server: a probe (one message must reach exactly every receiver), a closed-loop warm-up,
 * the closed-loop maximum ({@code window} messages not yet everywhere), then open-loop latency at
 * {@code rate} messages/s and at half of the maximum. Prints every run and the medians.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar} (gateway/target/parley-gateway.jar),
 * {@code runs} (3), {@code members} (1000), {@code window} (32), {@code seconds} (20 per phase: at
 * 50 msg/s a p99 over 10 s rests on its five worst messages),
 * {@code rate} (50 messages/s, i.e. 50k deliveries/s to 1,000 members), {@code threads} (2 client event loops),
 * {@code warmup} (at least 20 s of closed loop before measuring, longer until the server's JIT compiler is quiet,
 * at most {@code warmupmax}, 180 s), {@code servers} (parley,ideal; one of them alone
 * for a quick look) and {@code bytes} (281, the size of Parley's pushes: the ideal server's frame size when Parley is not run).
 */
public final class FanoutBenchmark {

    private FanoutBenchmark() {
    }

    /**
     * Everything one server yielded in one run. {@code serverCores}: CPU the server used during the
     * maximum phase, in cores (of 2 shared with the client); {@code compilerCores}: the part of it
     * its JIT compiler took.
     */
    record Result(double maxDeliveries, Histogram atMax, double fixedRate, Histogram atFixed, double halfRate,
                  Histogram atHalf, int frameBytes, double serverCores, double compilerCores,
                  JitCompiler.WarmUp warmUp) {
        /** Deliveries per second of server CPU: the efficiency, whatever share of the cores the client took. */
        double perCpuSecond() {
            return maxDeliveries / serverCores;
        }
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar", "runs", "3",
                "members", "1000", "window", "32", "seconds", "20", "rate", "50", "threads", "2",
                "servers", "parley,ideal", "bytes", "281", "warmup", "20", "warmupmax", "180");
        System.out.printf(Locale.ROOT, "fan-out benchmark, %s, %d CPUs, load %s, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage(), a);
        List<String> servers = List.of(a.get("servers").split(","));
        List<Map<String, Result>> runs = new ArrayList<>();
        for (int run = 1; run <= a.integer("runs"); run++) {
            Map<String, Result> results = new java.util.LinkedHashMap<>();
            int frameBytes = a.integer("bytes");
            if (servers.contains("parley")) {
                Result parley = parley(a);
                print("run " + run + " Parley", parley);
                results.put("Parley", parley);
                frameBytes = parley.frameBytes();
            }
            if (servers.contains("ideal")) {
                Result ideal = ideal(a, frameBytes);
                print("run " + run + " ideal ", ideal);
                results.put("ideal", ideal);
            }
            if (results.size() == 2) {
                Result parley = results.get("Parley");
                Result ideal = results.get("ideal");
                System.out.printf(Locale.ROOT, "run %d: Parley/ideal = %.1f%% of deliveries/s, %.1f%% of deliveries per"
                                + " server CPU-second (load %s)%n", run, 100 * parley.maxDeliveries() / ideal.maxDeliveries(),
                        100 * parley.perCpuSecond() / ideal.perCpuSecond(), loadAverage());
            }
            runs.add(results);
        }
        for (String server : runs.get(0).keySet()) {
            System.out.printf(Locale.ROOT, "median of %d, %s: %.0f deliveries/s, %.0f per server CPU-second (%.2f us),"
                            + " server %.2f cores at max; at %s msg/s p50 %.2f p99 %.2f p999 %.2f ms;"
                            + " at half max p50 %.2f p99 %.2f p999 %.2f ms%n", runs.size(), server,
                    median(runs, server, Result::maxDeliveries), median(runs, server, Result::perCpuSecond),
                    1e6 / median(runs, server, Result::perCpuSecond), median(runs, server, Result::serverCores),
                    a.get("rate"),
                    median(runs, server, r -> ms(r.atFixed(), 50)), median(runs, server, r -> ms(r.atFixed(), 99)),
                    median(runs, server, r -> ms(r.atFixed(), 99.9)),
                    median(runs, server, r -> ms(r.atHalf(), 50)), median(runs, server, r -> ms(r.atHalf(), 99)),
                    median(runs, server, r -> ms(r.atHalf(), 99.9)));
        }
        if (runs.get(0).size() == 2) {
            System.out.printf(Locale.ROOT, "median of %d: Parley/ideal %.1f%% of deliveries/s, %.1f%% per server CPU-second%n",
                    runs.size(),
                    100 * median(runs.stream().mapToDouble(r -> r.get("Parley").maxDeliveries() / r.get("ideal").maxDeliveries()).toArray()),
                    100 * median(runs.stream().mapToDouble(r -> r.get("Parley").perCpuSecond() / r.get("ideal").perCpuSecond()).toArray()));
        }
    }

    private static double median(List<Map<String, Result>> runs, String server, java.util.function.ToDoubleFunction<Result> figure) {
        return median(runs.stream().mapToDouble(r -> figure.applyAsDouble(r.get(server))).toArray());
    }

    private static Result parley(BenchArgs a) throws Exception {
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        Tokens tokens = new Tokens(secret, Duration.ofHours(2));
        Path log = Files.createTempFile("parley-fanout-node-", ".log");
        System.out.println("node log: " + log);
        int members = a.integer("members");
        String channel = "777";
        try (GatewayProcess node = GatewayProcess.start(Path.of(a.get("jar")), GatewayProcess.with(GatewayProcess.UNLIMITED_SENDS, "PARLEY_JWT_SECRET", secret), log);
             LoadClient client = new LoadClient(a.integer("threads"))) {
            FanoutLoad load = new FanoutLoad(members);
            LoadClient.Listener replies = load.receiver(FanoutBenchmark::completeReply);
            // The customer opens the conversation on its sending socket.
            // The sender's acks carry the marker too: its socket only completes replies, never counts.
            WsConnection sender = open(client, node.uri("/ws?sid=c0", "ws"), tokens.user("c0"),
                    load.sender(FanoutBenchmark::completeReply));
            request(sender, "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"c0\",\"application_id\":"
                    + channel + "}}");
            List<CompletableFuture<WsConnection>> receivers = new ArrayList<>();
            receivers.add(client.connect(node.uri("/ws?sid=c0", "ws"), null, tokens.user("c0"), replies));
            Semaphore inFlight = new Semaphore(100); // bounded connection storm
            for (int s = 1; s < members; s++) {
                String staff = "s" + s;
                inFlight.acquire();
                receivers.add(client.connect(node.uri("/ws?sid=" + staff, "ws"), null, tokens.staff(staff), replies)
                        .thenCompose(c -> requestAsync(c, "{\"name\":\"Event.GetMessageList\",\"args\":{"
                                + "\"session_channel\":\"" + channel + "\",\"executor_id\":\"" + staff + "\"}}")
                                .thenApply(reply -> c))
                        .whenComplete((c, e) -> inFlight.release()));
            }
            for (CompletableFuture<WsConnection> r : receivers) {
                r.get(60, TimeUnit.SECONDS);
            }
            FanoutLoad.SendFrame frame = (k, nanos) -> "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\""
                    + channel + "\",\"sender_id\":\"c0\",\"content\":\"fanout " + FanoutLoad.marker(k, nanos) + "\"}}";
            Result r = measure(a, load, sender, frame, node.pid(), node);
            System.out.println("node counts " + node.connections() + " open sockets; refused sends: "
                    + load.refusedByCode());
            return r;
        }
    }

    private static Result ideal(BenchArgs a, int frameBytes) throws Exception {
        int port = ChildJvm.freePort();
        Path log = Files.createTempFile("parley-fanout-ideal-", ".log");
        int members = a.integer("members");
        try (ChildJvm server = ChildJvm.startMain("the ideal server", GatewayProcess.SERVER_JVM_ARGS,
                IdealBroadcastServer.class, List.of(Integer.toString(port)), Map.of(), log);
             LoadClient client = new LoadClient(a.integer("threads"))) {
            server.awaitPort(port, Duration.ofSeconds(30));
            URI uri = URI.create("ws://127.0.0.1:" + port + "/");
            FanoutLoad load = new FanoutLoad(members);
            LoadClient.Listener listener = load.receiver((c, payload, nanos) -> { });
            WsConnection sender = open(client, uri, null, (c, payload, nanos) -> { });
            List<CompletableFuture<WsConnection>> receivers = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                receivers.add(client.connect(uri, null, null, listener));
            }
            for (CompletableFuture<WsConnection> r : receivers) {
                r.get(60, TimeUnit.SECONDS);
            }
            // The same bytes per delivery as Parley's pushes: the frame is padded to their size.
            FanoutLoad.SendFrame frame = (k, nanos) -> {
                String text = "{\"name\":\"Event.ReceiveMessage\",\"result\":{\"message\":{\"content\":\"fanout "
                        + FanoutLoad.marker(k, nanos) + "\"}}}";
                return text.length() >= frameBytes ? text : text + " ".repeat(frameBytes - text.length());
            };
            return measure(a, load, sender, frame, server.pid(), null);
        }
    }

    private static Result measure(BenchArgs a, FanoutLoad load, WsConnection sender, FanoutLoad.SendFrame frame,
                                  long serverPid, GatewayProcess node) throws Exception {
        Duration phase = Duration.ofSeconds(a.integer("seconds"));
        int window = a.integer("window");
        FanoutLoad.Out out = sender::send;
        load.probe(out, frame);
        // Warm-up until the server's JIT compiler is done: a node's compiler is still busy after a
        // minute of this load (its storage engine is a lot of code), and measured then, it takes
        // a third of the server's CPU and delays deliveries at random.
        JitCompiler compiler = new JitCompiler(serverPid);
        JitCompiler.WarmUp warmUp = compiler.warmUp(Duration.ofSeconds(a.integer("warmup")),
                Duration.ofSeconds(a.integer("warmupmax")), d -> load.closedLoop(out, frame, window, d, new Histogram(3)));
        Histogram atMax = new Histogram(3);
        NodeMetrics before = node == null ? null : NodeMetrics.scrape(node);
        double cpuBefore = ProcessMemory.cpuSeconds(serverPid);
        double compilerBefore = compiler.cpuSeconds();
        long start = System.nanoTime();
        double max = load.closedLoop(out, frame, window, phase, atMax);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cores = (ProcessMemory.cpuSeconds(serverPid) - cpuBefore) / seconds;
        double compilerCores = (compiler.cpuSeconds() - compilerBefore) / seconds;
        before = printNodeView("at max", node, before, atMax.getTotalCount());
        double fixed = a.number("rate");
        Histogram atFixed = load.paced(sender.eventLoop(), out, frame, fixed, phase);
        printNodeView("at " + a.get("rate") + " msg/s", node, before, atFixed.getTotalCount());
        double half = max / 2 / load.receiversCount();
        Histogram atHalf = load.paced(sender.eventLoop(), out, frame, half, phase);
        return new Result(max, atMax, fixed, atFixed, half, atHalf, load.lastFrameBytes(), cores, compilerCores, warmUp);
    }

    /** Prints the node's view of the phase since {@code before} (its commits) and returns a fresh scrape. */
    private static NodeMetrics printNodeView(String phase, GatewayProcess node, NodeMetrics before, long deliveries)
            throws Exception {
        if (node == null) {
            return null;
        }
        NodeMetrics now = NodeMetrics.scrape(node);
        System.out.println("  " + phase + ", " + now.historySince(before) + "; " + now.memorySince(before, deliveries, "delivery"));
        return now;
    }

    private static WsConnection open(LoadClient client, URI uri, String token, LoadClient.Listener listener) throws Exception {
        return client.connect(uri, null, token, listener).get(30, TimeUnit.SECONDS);
    }

    /** Setup requests: one at a time per socket, the reply completes the socket's pending future. */
    private static CompletableFuture<String> requestAsync(WsConnection c, String text) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        c.attachment = reply;
        c.send(text);
        return reply.orTimeout(30, TimeUnit.SECONDS).thenApply(r -> {
            if (!r.contains("\"ok\":true")) {
                throw new IllegalStateException("setup request refused: " + r);
            }
            return r;
        });
    }

    private static void request(WsConnection c, String text) throws Exception {
        requestAsync(c, text).get(30, TimeUnit.SECONDS);
    }

    private static void completeReply(WsConnection c, io.netty.buffer.ByteBuf payload, long nanos) {
        if (c.attachment instanceof CompletableFuture<?> f) {
            @SuppressWarnings("unchecked")
            CompletableFuture<String> reply = (CompletableFuture<String>) f;
            reply.complete(WsConnection.text(payload));
        }
    }

    private static void print(String label, Result r) {
        System.out.printf(Locale.ROOT, "%s: max %.0f deliveries/s (p50 %.2f p99 %.2f ms) | at %.1f msg/s: p50 %.2f"
                        + " p99 %.2f p999 %.2f max %.2f ms | at %.1f msg/s (half): p50 %.2f p99 %.2f p999 %.2f max %.2f ms"
                        + " | %d bytes per push | server %.2f cores at max, %.2f of them compiling | %s%n", label, r.maxDeliveries(), ms(r.atMax(), 50), ms(r.atMax(), 99),
                r.fixedRate(), ms(r.atFixed(), 50), ms(r.atFixed(), 99), ms(r.atFixed(), 99.9), r.atFixed().getMaxValue() / 1e3,
                r.halfRate(), ms(r.atHalf(), 50), ms(r.atHalf(), 99), ms(r.atHalf(), 99.9), r.atHalf().getMaxValue() / 1e3,
                r.frameBytes(), r.serverCores(), r.compilerCores(), r.warmUp());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
