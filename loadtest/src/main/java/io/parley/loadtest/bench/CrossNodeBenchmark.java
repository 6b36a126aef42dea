package io.parley.loadtest.bench;

import io.parley.loadtest.client.Tokens;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cross-node delivery (DESIGN.md target: p99 <= 15 ms at 10k msg/s through one Redis), beside
 * the same load on one node (the local-bus baseline), measured in one run on the same nodes
 * (two by default, three with {@code nodes=3}), through the machine's Redis or one of the three
 * Redis topologies the bus supports, started by the runner ({@code topology=one|sentinel|cluster}).
 *
 * <p>Per run: a fresh PostgreSQL schema (created here, dropped afterwards), two
 * {@link GatewayProcess} nodes A and B ({@code PARLEY_NODE_ID} 1 and 2) on that schema, one Redis
 * (the {@code redis} URL, or a fresh {@link RedisTopology} stopped after the run) and one random
 * {@code PARLEY_JWT_SECRET}; the per-socket request limits are raised
 * ({@code PARLEY_MAX_MESSAGES_PER_SECOND}, {@code PARLEY_MESSAGE_BURST}) so that one sending socket
 * can carry the load. Two support conversations, each opened by its customer on node A:
 * <ul>
 *   <li>cross-node: customer {@code x0} sends on node A, staff {@code xs} (joined by reading the
 *   conversation on node B) receives on node B — every message goes A → PostgreSQL → Redis → B;</li>
 *   <li>local: customer {@code l0} sends on node A, staff {@code ls} receives on node A too (no
 *   other node hosts a recipient, so nothing is published).</li>
 * </ul>
 * Each message carries {@link FanoutLoad#marker} (sender's nanoTime; sender and receiver live in
 * this JVM, so one clock). Per path: a probe (exactly one delivery), a closed-loop warm-up, the
 * closed-loop maximum ({@code window} messages not yet delivered), then open-loop latency at
 * {@code rate} messages/s ({@link FanoutLoad#paced}: a late send counts its lateness) and at half
 * of the cross-node maximum (the same rate on both paths, below saturation). Prints
 * every run and the medians; the hop's cost is the cross/local ratio of each run. Per measured
 * phase it also prints the nodes' own view (commits, bus lag) and the CPU and context switches
 * per message of every process on the machine's cores ({@link CpuShares}); "redis" is every
 * process of the runner's topology together (sentinels and replicas included), so that the
 * topologies' costs per message compare.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar}, {@code url}
 * (jdbc:postgresql://127.0.0.1:5432/test), {@code user} (postgres), {@code password} (empty),
 * {@code redis} (redis://127.0.0.1:6379, for {@code topology=local} only), {@code topology}
 * ({@code local}: the {@code redis} URL; {@code one}: a {@code redis-server} of the runner's own;
 * {@code sentinel}: a primary, one replica and three sentinels, quorum 2, as
 * {@code redis-sentinel://...#parley}; {@code cluster}: Redis Cluster of three masters and three
 * replicas, as {@code redis-cluster://...}; all on free ports of 127.0.0.1 from {@code redis-server}
 * and {@code redis-cli} on PATH, their logs in a {@code parley-xnode-redis-*} temporary directory),
 * {@code runs} (3), {@code window} (256 messages not yet delivered), {@code senders} (32 sockets
 * and conversations per path: at 10k msg/s each socket then carries 312 msg/s, so its 64 requests
 * in flight last 200 ms of stalled acks; with 8 a
 * 51 ms stall already had sends refused with 429, and refused sends are missing from the
 * latency histograms, the tail most of all),
 * {@code seconds} (10 per phase), {@code warmup} (40 seconds of closed loop before the phases: the
 * nodes are fresh JVMs; with 3 s the JIT compiler still took a third to half of their CPU during
 * the measured phases, and -XX:+PrintCompilation shows compiles dying down only after 30-40 s of
 * load), {@code rate} (10000 msg/s), {@code threads} (1 client event loop: every socket on the loop that
 * paces the sends, so a paced send is a write on the same thread, not a cross-thread hand-off),
 * {@code nodes} (2; with 3, a staff member on each of nodes B and C receives every message: two
 * deliveries per message, through one Redis; the local path then has two staff members on A),
 * {@code checkpoint} (true: a PostgreSQL {@code CHECKPOINT} just before each open-loop phase, see
 * {@link DatabaseCheckpoints}; false leaves checkpoints where the closed-loop phases' WAL put them).
 */
final class CrossNodeBenchmark {
    private CrossNodeBenchmark() {
    }

    /** One path (cross-node or local) in one run. */
    record Result(double maxDeliveries, Histogram atMax, double rate, Histogram atRate, double halfRate,
                  Histogram atHalf, long refused, Map<String, ?> refusedByCode) {
    }

    private static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";

    static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar",
                "url", "jdbc:postgresql://127.0.0.1:5432/test", "user", "postgres", "password", "",
                "redis", DEFAULT_REDIS, "topology", "local", "runs", "3", "window", "256", "senders", "32", "seconds", "10",
                "rate", "10000", "threads", "1", "nodes", "2", "warmup", "40", "checkpoint", "true");
        String topology = a.get("topology");
        if (!topology.equals("local") && !RedisTopology.KINDS.contains(topology)) {
            throw new IllegalArgumentException("topology must be local or one of " + RedisTopology.KINDS + ", got " + topology);
        }
        if (!topology.equals("local") && !a.get("redis").equals(DEFAULT_REDIS)) {
            throw new IllegalArgumentException("redis=" + a.get("redis") + " is for topology=local; topology="
                    + topology + " starts a Redis of its own");
        }
        System.out.printf(Locale.ROOT, "cross-node benchmark, %s, %d CPUs, load %s, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), FanoutBenchmark.loadAverage(), a);
        List<Result[]> results = new ArrayList<>();
        for (int run = 1; run <= a.integer("runs"); run++) {
            Result[] r = runOnce(a, run);
            print("run " + run + " cross-node", r[0]);
            print("run " + run + " local     ", r[1]);
            System.out.printf(Locale.ROOT, "run %d: cross/local: max %.2fx; at %s msg/s p50 %.2fx p99 %.2fx p999 %.2fx;"
                            + " at %.0f msg/s p50 %.2fx p99 %.2fx p999 %.2fx (load %s)%n", run,
                    r[0].maxDeliveries() / r[1].maxDeliveries(), a.get("rate"), ratio(r, 50), ratio(r, 99), ratio(r, 99.9),
                    r[0].halfRate(), halfRatio(r, 50), halfRatio(r, 99), halfRatio(r, 99.9), FanoutBenchmark.loadAverage());
            results.add(r);
        }
        int n = results.size();
        for (int p = 0; p < 2; p++) {
            int path = p;
            System.out.printf(Locale.ROOT, "median of %d, %s: max %.0f deliveries/s (closed loop, window %s);"
                            + " at %s msg/s p50 %.2f p99 %.2f p999 %.2f max %.2f ms; refused %.0f%n", n,
                    p == 0 ? "cross-node" : "local", med(results, r -> r[path].maxDeliveries()), a.get("window"),
                    a.get("rate"), med(results, r -> ms(r[path].atRate(), 50)), med(results, r -> ms(r[path].atRate(), 99)),
                    med(results, r -> ms(r[path].atRate(), 99.9)), med(results, r -> r[path].atRate().getMaxValue() / 1e3),
                    med(results, r -> r[path].refused()));
            System.out.printf(Locale.ROOT, "median of %d, %s: at half the cross-node max (%.0f msg/s) p50 %.2f p99 %.2f"
                            + " p999 %.2f max %.2f ms%n", n, p == 0 ? "cross-node" : "local",
                    med(results, r -> r[0].halfRate()), med(results, r -> ms(r[path].atHalf(), 50)),
                    med(results, r -> ms(r[path].atHalf(), 99)), med(results, r -> ms(r[path].atHalf(), 99.9)),
                    med(results, r -> r[path].atHalf().getMaxValue() / 1e3));
        }
        System.out.printf(Locale.ROOT, "median of %d, cross/local ratios: max %.2fx; at %s msg/s p50 %.2fx p99 %.2fx"
                        + " p999 %.2fx; at half the cross-node max p50 %.2fx p99 %.2fx p999 %.2fx (load %s)%n", n,
                med(results, r -> r[0].maxDeliveries() / r[1].maxDeliveries()), a.get("rate"),
                med(results, r -> ratio(r, 50)), med(results, r -> ratio(r, 99)), med(results, r -> ratio(r, 99.9)),
                med(results, r -> halfRatio(r, 50)), med(results, r -> halfRatio(r, 99)),
                med(results, r -> halfRatio(r, 99.9)), FanoutBenchmark.loadAverage());
    }

    private static Result[] runOnce(BenchArgs a, int run) throws Exception {
        String url = a.get("url");
        String schema = "parley_xnode_" + Long.toString(System.currentTimeMillis(), 36);
        try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"));
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String topology = a.get("topology");
        // A Redis of our own per run (none for topology=local), fresh like the schema and the nodes;
        // try-with-resources stops it after the nodes, also when the run fails.
        try (RedisTopology own = topology.equals("local") ? null
                : RedisTopology.start(topology, Files.createTempDirectory("parley-xnode-redis-" + topology + "-"))) {
            String redisUrl = own == null ? a.get("redis") : own.url();
            List<Long> redisPids = own == null ? null : own.pids();
            System.out.println("run " + run + ": redis " + (own == null ? redisUrl + " (local)" : own));
            String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
            Tokens tokens = new Tokens(secret, Duration.ofHours(2));
            String nodeUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            Map<String, String> common = new HashMap<>(GatewayProcess.UNLIMITED_SENDS);
            common.putAll(Map.of("PARLEY_STORAGE_URL", nodeUrl, "PARLEY_STORAGE_USER", a.get("user"),
                    "PARLEY_STORAGE_PASSWORD", a.get("password"), "PARLEY_REDIS_URL", redisUrl,
                    "PARLEY_JWT_SECRET", secret));
            int nodes = a.integer("nodes");
            if (nodes < 2 || nodes > 3) {
                throw new IllegalArgumentException("nodes must be 2 or 3, got " + nodes);
            }
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                logs.add(Files.createTempFile("parley-xnode-" + (char) ('a' + i) + "-", ".log"));
            }
            System.out.println("run " + run + ": schema " + schema + ", node logs " + logs);
            Path jar = Path.of(a.get("jar"));
            List<GatewayProcess> started = new ArrayList<>();
            try (LoadClient client = new LoadClient(a.integer("threads"))) {
                for (int i = 0; i < nodes; i++) {
                    started.add(GatewayProcess.start(jar, GatewayProcess.with(common, "PARLEY_NODE_ID",
                            Integer.toString(i + 1)), logs.get(i)));
                }
                GatewayProcess nodeA = started.get(0);
                // Cross-node: one staff member on each other node; local: as many staff members, all on A.
                List<GatewayProcess> others = started.subList(1, nodes);
                List<GatewayProcess> onA = java.util.Collections.nCopies(nodes - 1, nodeA);
                Map<String, Long> pids = new java.util.LinkedHashMap<>();
                for (int i = 0; i < nodes; i++) {
                    pids.put("node " + (char) ('A' + i), started.get(i).pid());
                }
                Result cross = path(a, client, tokens, nodeA, others, "x", 701, 0, pids, redisPids);
                // The local path's second rate is the cross-node one: both ends at the same rate.
                Result local = path(a, client, tokens, nodeA, onA, "l", 801, cross.halfRate(), pids, redisPids);
                return new Result[] {cross, local};
            } finally {
                for (GatewayProcess node : started) {
                    node.close();
                }
            }
        } finally {
            try (Connection c = DriverManager.getConnection(url, a.get("user"), a.get("password"));
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /**
     * Customers {@code prefix0..} (one socket and one conversation each) send on {@code senderNode}
     * in turn; staff {@code prefix}s0.., one per receiving node and each a member of every one of
     * those conversations, receive on {@code receiverNodes}. Several senders because a socket may
     * have only 64 requests in flight.
     */
    private static Result path(BenchArgs a, LoadClient client, Tokens tokens, GatewayProcess senderNode,
                               List<GatewayProcess> receiverNodes, String prefix, int firstChannel, double halfRate,
                               Map<String, Long> pids, List<Long> redisPids) throws Exception {
        int n = a.integer("senders");
        FanoutLoad load = new FanoutLoad(receiverNodes.size());
        WsConnection[] senders = new WsConnection[n];
        String[] frames = new String[n];
        for (int i = 0; i < n; i++) {
            String customer = prefix + i;
            String channel = Integer.toString(firstChannel + i);
            senders[i] = open(client, senderNode.uri("/ws?sid=" + customer, "ws"), tokens.user(customer),
                    load.sender(CrossNodeBenchmark::completeReply));
            request(senders[i], "{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"" + customer
                    + "\",\"application_id\":" + channel + "}}");
            frames[i] = "{\"name\":\"Event.SendMessage\",\"args\":{\"session_channel\":\"" + channel
                    + "\",\"sender_id\":\"" + customer + "\",\"content\":\"xnode ";
        }
        List<WsConnection> receivers = new ArrayList<>();
        for (int r = 0; r < receiverNodes.size(); r++) {
            // Each staff member joins by reading every conversation on its own node (the sender's
            // node learns of the join through the cluster's join broadcast) and receives there.
            String staff = prefix + "s" + r;
            WsConnection receiver = open(client, receiverNodes.get(r).uri("/ws?sid=" + staff, "ws"),
                    tokens.staff(staff), load.receiver(CrossNodeBenchmark::completeReply));
            for (int i = 0; i < n; i++) {
                request(receiver, "{\"name\":\"Event.GetMessageList\",\"args\":{\"session_channel\":\""
                        + (firstChannel + i) + "\",\"executor_id\":\"" + staff + "\"}}");
            }
            receivers.add(receiver);
        }
        // Message k goes to conversation k mod n through its customer's socket; the probe (k = -1) to the first.
        FanoutLoad.SendFrame frame = (k, nanos) -> frames[(int) Math.floorMod(k, (long) n)]
                + FanoutLoad.marker(k, nanos) + "\"}}";
        // The socket is the one of the frame's conversation (the frame names it).
        FanoutLoad.Out byFrame = text -> {
            int at = text.indexOf("\"session_channel\":\"") + 19;
            int channel = Integer.parseInt(text.substring(at, text.indexOf('"', at)));
            senders[channel - firstChannel].send(text);
        };
        Duration phase = Duration.ofSeconds(a.integer("seconds"));
        load.probe(byFrame, frame);
        load.closedLoop(byFrame, frame, a.integer("window"), Duration.ofSeconds(a.integer("warmup")), new Histogram(3)); // JIT
        Histogram atMax = new Histogram(3);
        // Each phase's share of the database (the sending node's commits) and of the hop (the first
        // receiving node's bus lag), from the nodes' own metrics; and where the shared CPU went.
        GatewayProcess watched = receiverNodes.get(0);
        NodeMetrics before = NodeMetrics.scrape(watched);
        NodeMetrics senderBefore = NodeMetrics.scrape(senderNode);
        CpuWindow cpu = CpuWindow.open(pids, redisPids, load, receiverNodes.size());
        double max = load.closedLoop(byFrame, frame, a.integer("window"), phase, atMax);
        String maxCpu = cpu.report();
        NodeMetrics afterMax = NodeMetrics.scrape(watched);
        NodeMetrics senderAfterMax = NodeMetrics.scrape(senderNode);
        System.out.println(prefix + " path at the maximum, sending " + senderAfterMax.historySince(senderBefore)
                + "; first receiving " + afterMax.busSince(before) + "\n  " + maxCpu);
        DatabaseCheckpoints checkpoints = new DatabaseCheckpoints(a.get("url"), a.get("user"), a.get("password"),
                Boolean.parseBoolean(a.get("checkpoint")));
        long checkpointsBefore = checkpoints.beforePhase();
        cpu = CpuWindow.open(pids, redisPids, load, receiverNodes.size());
        Histogram atRate = load.paced(senders[0].eventLoop(), byFrame, frame, a.number("rate"), phase);
        String rateCpu = cpu.report();
        System.out.println(prefix + " path at " + a.get("rate") + " msg/s, sending "
                + NodeMetrics.scrape(senderNode).historySince(senderAfterMax) + "; first receiving "
                + NodeMetrics.scrape(watched).busSince(afterMax) + "\n  " + rateCpu
                + "\n  " + load.lastTimeline().summary(5) + "\n  " + checkpoints.begunSince(checkpointsBefore));
        // Half the maximum, in messages/s: each message is one delivery per receiving node.
        double half = halfRate > 0 ? halfRate : max / 2 / receiverNodes.size();
        checkpointsBefore = checkpoints.beforePhase();
        Histogram atHalf = load.paced(senders[0].eventLoop(), byFrame, frame, half, phase);
        System.out.println(prefix + " path at " + Math.round(half) + " msg/s (half the cross-node maximum): "
                + load.lastTimeline().summary(5) + "\n  " + checkpoints.begunSince(checkpointsBefore));
        for (WsConnection c : senders) {
            c.close();
        }
        receivers.forEach(WsConnection::close);
        return new Result(max, atMax, a.number("rate"), atRate, half, atHalf, load.refused(), Map.copyOf(load.refusedByCode()));
    }

    /**
     * Where the machine's CPU went during one phase ({@link CpuShares}), per message sent in it;
     * "redis" is every process of the runner's own topology ({@code redisPids}), or, for
     * {@code topology=local} (null), every {@code redis-server} on the machine.
     */
    private record CpuWindow(Map<String, Long> pids, List<Long> redisPids, FanoutLoad load, int receivers,
                             CpuShares before, long deliveredBefore, long startNanos) {
        static CpuWindow open(Map<String, Long> pids, List<Long> redisPids, FanoutLoad load, int receivers) {
            return new CpuWindow(pids, redisPids, load, receivers, CpuShares.snapshot(pids, redisPids),
                    load.delivered(), System.nanoTime());
        }

        String report() {
            double messages = (double) (load.delivered() - deliveredBefore) / receivers; // a delivery per receiving node
            return CpuShares.snapshot(pids, redisPids).perMessageSince(before, messages,
                    (System.nanoTime() - startNanos) / 1e9);
        }
    }

    private static WsConnection open(LoadClient client, URI uri, String token, LoadClient.Listener listener) throws Exception {
        return client.connect(uri, null, token, listener).get(30, TimeUnit.SECONDS);
    }

    private static void request(WsConnection c, String text) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        c.attachment = reply;
        c.send(text);
        String r = reply.get(30, TimeUnit.SECONDS);
        if (!r.contains("\"ok\":true")) {
            throw new IllegalStateException("setup request refused: " + r);
        }
    }

    private static void completeReply(WsConnection c, io.netty.buffer.ByteBuf payload, long nanos) {
        if (c.attachment instanceof CompletableFuture<?> f) {
            @SuppressWarnings("unchecked")
            CompletableFuture<String> reply = (CompletableFuture<String>) f;
            reply.complete(WsConnection.text(payload));
        }
    }

    private static void print(String label, Result r) {
        System.out.printf(Locale.ROOT, "%s: max %.0f deliveries/s (p50 %.2f p99 %.2f ms) | at %.0f msg/s: p50 %.2f"
                        + " p99 %.2f p999 %.2f max %.2f ms | at %.0f msg/s: p50 %.2f p99 %.2f p999 %.2f max %.2f ms"
                        + " | refused %d %s%n", label, r.maxDeliveries(), ms(r.atMax(), 50),
                ms(r.atMax(), 99), r.rate(), ms(r.atRate(), 50), ms(r.atRate(), 99), ms(r.atRate(), 99.9),
                r.atRate().getMaxValue() / 1e3, r.halfRate(), ms(r.atHalf(), 50), ms(r.atHalf(), 99),
                ms(r.atHalf(), 99.9), r.atHalf().getMaxValue() / 1e3, r.refused(), r.refusedByCode());
    }

    private static double ratio(Result[] r, double percentile) {
        return ms(r[0].atRate(), percentile) / ms(r[1].atRate(), percentile);
    }

    private static double halfRatio(Result[] r, double percentile) {
        return ms(r[0].atHalf(), percentile) / ms(r[1].atHalf(), percentile);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static double med(List<Result[]> results, java.util.function.ToDoubleFunction<Result[]> f) {
        return FanoutBenchmark.median(results.stream().mapToDouble(f).toArray());
    }
}
