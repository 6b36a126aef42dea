package io.parley.loadtest.bench;

import org.HdrHistogram.Histogram;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Webhook delivery at a fixed chat load: a node ({@code java -jar parley-gateway.jar}) with
 * {@code webhook_url} pointing at a {@link WebhookReceiver} in this JVM (answers 204 at once,
 * records ids and receipt times, checks signatures), and {@link SendLoad}'s clients sending at
 * {@code rate} messages/s in total, open loop, spread over {@code chats} support conversations
 * ({@code events} dialect, one socket each), every send acknowledged after its commit. Beside it,
 * in the same run, the same load on a node with no webhook configured: the baseline.
 *
 * <p>Per store and run: sends and acks per second in the measured window; webhook events
 * received per second in it; delivery lag (the event's {@code created_at}, the commit as the node
 * wrote it, to its receipt; one machine clock) of the events committed in the window; the
 * backlog (acknowledged messages whose event had not arrived) when the window ends and the time
 * to drain it; every acknowledged message's event received (missing must be 0), duplicates
 * counted; CPU per message of the node (and PostgreSQL) over the window. Before the servers, the
 * receiver's own ceiling: a lean Netty client drives it with signed event bodies, as many
 * requests in flight as the node may have ({@code concurrency}), so that a webhook rate far
 * below it is the gateway's, not the receiver's.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code jar} (gateway/target/parley-gateway.jar),
 * {@code runs} (3), {@code rate} (1000 messages/s), {@code chats} (50), {@code warmup} (15 s),
 * {@code seconds} (10), {@code drain} (120 s at most), {@code threads} (2 client event loops),
 * {@code stores} (embedded,postgres), {@code concurrency} (16, {@code PARLEY_WEBHOOK_CONCURRENCY}),
 * {@code receiver} (2 handler threads), {@code check} (5 s of the receiver ceiling; 0 skips it),
 * {@code url} (jdbc:postgresql://127.0.0.1:5432/test), {@code user} (postgres), {@code password} (empty).
 */
public final class WebhookBenchmark {

    /** A message.created body of the size Parley sends (about 450 bytes), for the receiver's check. */
    private static final String PROBE_BODY = "{\"id\":\"%d\",\"type\":\"probe\",\"created_at\":\"%s\","
            + "\"chat_id\":\"bench0_1000000\",\"data\":{\"offline_members\":[],\"message\":{\"id\":%d,"
            + "\"chat_id\":\"bench0_1000000\",\"seq\":42,\"sender_id\":\"bench0\",\"text\":\"benchmark message"
            + " number 42 lorem ipsum\",\"content_type\":1,\"reply_to\":null,\"created_at\":\"%s\","
            + "\"edited\":false,\"deleted\":false}}}";

    private WebhookBenchmark() {
    }

    /** One node's figures in one run; the webhook ones are NaN for the baseline. */
    record Result(double sentPerSecond, double ackedPerSecond, double ackP50, double ackP99, double nodeCpuMicros,
                  double databaseCpuMicros, double eventsPerSecond, double lagP50, double lagP99, double lagMax,
                  long backlog, double drainSeconds, long missing, long duplicates, long badSignatures) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = BenchArgs.parse(argv, "jar", "gateway/target/parley-gateway.jar", "runs", "3", "rate", "1000",
                "chats", "50", "warmup", "15", "seconds", "10", "drain", "120", "threads", "2",
                "stores", "embedded,postgres", "concurrency", "16", "receiver", "2", "check", "5",
                "url", "jdbc:postgresql://127.0.0.1:5432/test", "user", "postgres", "password", "");
        Path jar = Path.of(a.get("jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath() + " missing: run mvn -q -DskipTests package first");
        }
        System.out.printf(Locale.ROOT, "webhook benchmark, %s, %d CPUs, load %s, %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), FanoutBenchmark.loadAverage(), a);
        String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
        List<String> stores = List.of(a.get("stores").split(","));
        List<Map<String, Result>> runs = new ArrayList<>();
        List<Double> ceilings = new ArrayList<>();
        try (WebhookReceiver receiver = new WebhookReceiver(secret, a.integer("receiver"))) {
            for (int run = 1; run <= a.integer("runs"); run++) {
                if (a.integer("check") > 0) {
                    Duration check = Duration.ofSeconds(a.integer("check"));
                    int inFlight = a.integer("concurrency");
                    double ceiling = receiverCeiling(receiver, secret, check, inFlight);
                    ceilings.add(ceiling);
                    System.out.printf(Locale.ROOT, "run %d receiver alone, %d requests in flight, signed event bodies:"
                            + " %.0f requests/s from a Netty client%n", run, inFlight, ceiling);
                }
                Map<String, Result> results = new LinkedHashMap<>();
                for (String store : stores) {
                    if (!store.equals("embedded") && !store.equals("postgres")) {
                        throw new IllegalArgumentException("unknown store " + store + "; one of embedded, postgres");
                    }
                    Result baseline = measure(a, store, null, null, run);
                    print("run " + run + " " + store + " baseline (no webhook)", baseline);
                    Result hooks = measure(a, store, receiver, secret, run);
                    print("run " + run + " " + store + " webhooks", hooks);
                    results.put(store + " baseline", baseline);
                    results.put(store, hooks);
                }
                runs.add(results);
            }
        }
        if (!ceilings.isEmpty()) {
            System.out.printf(Locale.ROOT, "receiver alone: %s requests/s (Netty client)%n",
                    ceilings.stream().map(c -> String.format(Locale.ROOT, "%.0f", c)).toList());
        }
        for (String store : stores) {
            String base = store + " baseline";
            System.out.printf(Locale.ROOT, "median of %d, %s: sent %.0f/s, acked %.0f/s, ack p50 %.2f p99 %.2f ms,"
                            + " node %.1f us CPU per message (database %.1f us) | webhook events %.0f/s, lag p50 %.1f"
                            + " p99 %.1f max %.1f ms, backlog at the end %.0f, drained in %.2f s, missing %.0f,"
                            + " duplicates %.0f%n", runs.size(), store, median(runs, store, Result::sentPerSecond),
                    median(runs, store, Result::ackedPerSecond), median(runs, store, Result::ackP50),
                    median(runs, store, Result::ackP99), median(runs, store, Result::nodeCpuMicros),
                    median(runs, store, Result::databaseCpuMicros), median(runs, store, Result::eventsPerSecond),
                    median(runs, store, Result::lagP50), median(runs, store, Result::lagP99),
                    median(runs, store, Result::lagMax), median(runs, store, r -> r.backlog()),
                    median(runs, store, Result::drainSeconds), max(runs, store, r -> r.missing()),
                    max(runs, store, r -> r.duplicates()));
            System.out.printf(Locale.ROOT, "median of %d, %s baseline: acked %.0f/s, ack p50 %.2f p99 %.2f ms, node %.1f us"
                            + " CPU per message (database %.1f us) | with webhooks / without: node CPU per message"
                            + " %.2fx (node + database %.2fx), ack p99 %.2fx%n", runs.size(), store,
                    median(runs, base, Result::ackedPerSecond), median(runs, base, Result::ackP50),
                    median(runs, base, Result::ackP99), median(runs, base, Result::nodeCpuMicros),
                    median(runs, base, Result::databaseCpuMicros),
                    FanoutBenchmark.median(runs.stream().mapToDouble(r -> r.get(store).nodeCpuMicros()
                            / r.get(base).nodeCpuMicros()).toArray()),
                    FanoutBenchmark.median(runs.stream().mapToDouble(r -> (r.get(store).nodeCpuMicros()
                            + r.get(store).databaseCpuMicros()) / (r.get(base).nodeCpuMicros()
                            + r.get(base).databaseCpuMicros())).toArray()),
                    FanoutBenchmark.median(runs.stream().mapToDouble(r -> r.get(store).ackP99()
                            / r.get(base).ackP99()).toArray()));
        }
    }

    /** One node, the paced load, and (with a receiver) its webhook deliveries checked and timed. */
    private static Result measure(BenchArgs a, String store, WebhookReceiver receiver, String secret, int run)
            throws Exception {
        String schema = "parley_webhooks_" + Long.toString(System.currentTimeMillis(), 36);
        Map<String, String> env = new HashMap<>(GatewayProcess.UNLIMITED_SENDS);
        env.put("PARLEY_DEV_TOKENS", "true");
        if (receiver != null) {
            env.put("PARLEY_WEBHOOK_URL", receiver.url().toString());
            env.put("PARLEY_WEBHOOK_SECRET", secret);
            env.put("PARLEY_WEBHOOK_CONCURRENCY", a.get("concurrency"));
        }
        if (store.equals("postgres")) {
            try (Connection c = DriverManager.getConnection(a.get("url"), a.get("user"), a.get("password"));
                 Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            env.put("PARLEY_STORAGE_URL", a.get("url") + (a.get("url").contains("?") ? "&" : "?")
                    + "currentSchema=" + schema);
            env.put("PARLEY_STORAGE_USER", a.get("user"));
            env.put("PARLEY_STORAGE_PASSWORD", a.get("password"));
        }
        Path log = Files.createTempFile("parley-webhooks-node-", ".log");
        System.out.println("node log: " + log);
        try (GatewayProcess node = GatewayProcess.start(Path.of(a.get("jar")), env, log);
             SendLoad load = new SendLoad(node, a.integer("chats"), 1_000_000L * run, a.integer("threads"))) {
            // Each acknowledged message's id, and when its ack arrived (after its commit).
            Map<Long, Long> ackedAt = new ConcurrentHashMap<>();
            Set<Long> acked = ackedAt.keySet();
            load.onAckedMessageIds(id -> ackedAt.put(id, nowMicros()));
            if (receiver != null) {
                receiver.reset(); // the conversations' chat.created events stay out of the figures
            }
            double rate = a.number("rate");
            load.paced(rate, Duration.ofSeconds(a.integer("warmup")));
            NodeMetrics metricsBefore = NodeMetrics.scrape(node);
            CpuShares cpuBefore = CpuShares.snapshot(Map.of("node", node.pid()));
            long sentBefore = load.sent();
            long windowStart = nowMicros();
            long start = System.nanoTime();
            Histogram acks = load.paced(rate, Duration.ofSeconds(a.integer("seconds")));
            double seconds = (System.nanoTime() - start) / 1e9;
            long windowEnd = nowMicros();
            CpuShares cpuAfter = CpuShares.snapshot(Map.of("node", node.pid()));
            long messages = acks.getTotalCount();
            double sentPerSecond = (load.sent() - sentBefore) / seconds;
            double nodeCpu = cpuAfter.cpuSecondsSince(cpuBefore, "node") / messages * 1e6;
            double databaseCpu = store.equals("postgres")
                    ? cpuAfter.cpuSecondsSince(cpuBefore, "postgres") / messages * 1e6 : 0;
            if (load.refused() > 0) {
                System.out.println("WARNING: refused sends by error code: " + load.refusedByCode());
            }
            if (receiver == null) {
                System.out.println("  " + NodeMetrics.scrape(node).historySince(metricsBefore));
                return new Result(sentPerSecond, messages / seconds, ms(acks, 50), ms(acks, 99), nodeCpu, databaseCpu,
                        Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, 0, 0, 0);
            }
            long backlog = missing(acked, receiver);
            long drainStart = System.nanoTime();
            long drainDeadline = drainStart + Duration.ofSeconds(a.integer("drain")).toNanos();
            while (missing(acked, receiver) > 0 && System.nanoTime() < drainDeadline) {
                Thread.sleep(10);
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            long missing = missing(acked, receiver);
            long drainEnd = nowMicros();
            NodeMetrics metricsAfter = NodeMetrics.scrape(node);
            System.out.println("  " + metricsAfter.historySince(metricsBefore));
            System.out.println("  " + metricsAfter.webhookSince(metricsBefore) + " (window and drain)");
            // Lag of the events committed in the window, at their first receipt; events received in it.
            Map<Long, Long> firstReceipt = new HashMap<>();
            Histogram lag = new Histogram(3);
            long inWindow = 0;
            long messageReceipts = 0;
            for (WebhookReceiver.Delivery d : receiver.deliveries()) {
                if (!d.message()) {
                    continue;
                }
                messageReceipts++;
                if (d.receivedMicros() >= windowStart && d.receivedMicros() <= windowEnd) {
                    inWindow++;
                }
                Long first = firstReceipt.get(d.id());
                if (first == null || d.receivedMicros() < first) {
                    firstReceipt.put(d.id(), d.receivedMicros());
                }
            }
            for (WebhookReceiver.Delivery d : receiver.deliveries()) {
                if (d.message() && d.committedMicros() >= windowStart && d.committedMicros() <= windowEnd
                        && firstReceipt.get(d.id()) == d.receivedMicros()) {
                    lag.recordValue(Math.max(1, d.receivedMicros() - d.committedMicros()));
                }
            }
            // Events of the window still not received when the drain limit passed: their lag is at
            // least the time since their ack, and the percentiles are then lower bounds.
            long undeliveredInWindow = 0;
            for (Map.Entry<Long, Long> e : ackedAt.entrySet()) {
                if (e.getValue() >= windowStart && e.getValue() <= windowEnd && !receiver.receivedMessage(e.getKey())) {
                    undeliveredInWindow++;
                    lag.recordValue(Math.max(1, drainEnd - e.getValue()));
                }
            }
            if (undeliveredInWindow > 0) {
                System.out.printf(Locale.ROOT, "  NOT DRAINED: %d acknowledged messages had no event after the %d s"
                                + " drain limit (%d of them from the window: lag figures are lower bounds); the node"
                                + " keeps them in its outbox%n", missing, a.integer("drain"), undeliveredInWindow);
            }
            long duplicates = messageReceipts - firstReceipt.size();
            System.out.printf(Locale.ROOT, "  receiver: %d requests, %d message.created (%d distinct) for %d acked"
                            + " messages; %d bad signatures, %d malformed; lag measured on %d events%n",
                    receiver.requests(), messageReceipts, firstReceipt.size(), acked.size(), receiver.badSignatures(),
                    receiver.malformed(), lag.getTotalCount());
            return new Result(sentPerSecond, messages / seconds, ms(acks, 50), ms(acks, 99), nodeCpu, databaseCpu,
                    inWindow / ((windowEnd - windowStart) / 1e6), lag.getValueAtPercentile(50) / 1e3,
                    lag.getValueAtPercentile(99) / 1e3, lag.getMaxValue() / 1e3, backlog, drainSeconds, missing,
                    duplicates, receiver.badSignatures());
        } finally {
            if (store.equals("postgres")) {
                try (Connection c = DriverManager.getConnection(a.get("url"), a.get("user"), a.get("password"));
                     Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    s.execute("CHECKPOINT"); // this node's WAL flushed now, not inside the next one's window
                }
            }
        }
    }

    /** Acknowledged messages whose event the receiver has not had yet. */
    private static long missing(Set<Long> acked, WebhookReceiver receiver) {
        long missing = 0;
        for (Long id : acked) {
            if (!receiver.receivedMessage(id)) {
                missing++;
            }
        }
        return missing;
    }

    /**
     * The receiver's ceiling with a lean client: {@code connections} keep-alive connections of a
     * Netty HTTP client, each sending the next signed POST when the previous one is answered.
     */
    static double receiverCeiling(WebhookReceiver receiver, String secret, Duration duration, int connections)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        AtomicLong answered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong ids = new AtomicLong(1);
        AtomicBoolean running = new AtomicBoolean(true);
        URI url = receiver.url();
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.parley.loadtest.client.Transports.ioHandler());
        try {
            java.util.function.Consumer<io.netty.channel.Channel> sendNext = ch -> {
                if (!running.get()) {
                    return;
                }
                long id = ids.getAndIncrement();
                String now = Instant.now().toString();
                byte[] body = String.format(Locale.ROOT, PROBE_BODY, id, now, id, now).getBytes(StandardCharsets.UTF_8);
                long t = Instant.now().getEpochSecond();
                String signature;
                synchronized (mac) {
                    mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
                    signature = HexFormat.of().formatHex(mac.doFinal(body));
                }
                io.netty.handler.codec.http.FullHttpRequest request = new io.netty.handler.codec.http.DefaultFullHttpRequest(
                        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST,
                        url.getPath(), io.netty.buffer.Unpooled.wrappedBuffer(body));
                request.headers().set("Host", url.getHost() + ":" + url.getPort())
                        .set("Content-Type", "application/json").set("Content-Length", body.length)
                        .set("Parley-Event-Id", Long.toString(id))
                        .set("Parley-Signature", "t=" + t + ",v1=" + signature);
                ch.writeAndFlush(request);
            };
            io.netty.bootstrap.Bootstrap bootstrap = new io.netty.bootstrap.Bootstrap().group(group)
                    .channel(io.parley.loadtest.client.Transports.socketChannel())
                    .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                    .handler(new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                        @Override
                        protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                            ch.pipeline().addLast(new io.netty.handler.codec.http.HttpClientCodec(),
                                    new io.netty.handler.codec.http.HttpObjectAggregator(1 << 16),
                                    new io.netty.channel.SimpleChannelInboundHandler<
                                            io.netty.handler.codec.http.FullHttpResponse>() {
                                        @Override
                                        protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx,
                                                                    io.netty.handler.codec.http.FullHttpResponse r) {
                                            if (r.status().code() == 204) {
                                                answered.incrementAndGet();
                                            } else {
                                                failed.incrementAndGet();
                                            }
                                            sendNext.accept(ctx.channel());
                                        }
                                    });
                        }
                    });
            List<io.netty.channel.Channel> channels = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                channels.add(bootstrap.connect(url.getHost(), url.getPort()).sync().channel());
            }
            receiver.reset();
            channels.forEach(ch -> ch.eventLoop().execute(() -> sendNext.accept(ch)));
            Thread.sleep(1_000);
            long before = answered.get();
            long start = System.nanoTime();
            Thread.sleep(duration.toMillis());
            double rate = (answered.get() - before) / ((System.nanoTime() - start) / 1e9);
            running.set(false);
            Thread.sleep(200);
            channels.forEach(io.netty.channel.Channel::close);
            if (failed.get() > 0 || receiver.badSignatures() > 0) {
                System.out.println("WARNING: receiver check: " + failed.get() + " failed requests, "
                        + receiver.badSignatures() + " bad signatures");
            }
            receiver.reset();
            return rate;
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    private static void print(String label, Result r) {
        if (Double.isNaN(r.eventsPerSecond())) {
            System.out.printf(Locale.ROOT, "%s: sent %.0f/s, acked %.0f/s, ack p50 %.2f p99 %.2f ms, node %.1f us CPU"
                            + " per message (database %.1f us)%n", label, r.sentPerSecond(), r.ackedPerSecond(),
                    r.ackP50(), r.ackP99(), r.nodeCpuMicros(), r.databaseCpuMicros());
            return;
        }
        System.out.printf(Locale.ROOT, "%s: sent %.0f/s, acked %.0f/s, ack p50 %.2f p99 %.2f ms, node %.1f us CPU"
                        + " per message (database %.1f us) | webhook events %.0f/s in the window, lag p50 %.1f p99 %.1f"
                        + " max %.1f ms, backlog at the end %d, drained in %.2f s, missing (not received by then) %d,"
                        + " duplicates %d,"
                        + " bad signatures %d%n", label, r.sentPerSecond(), r.ackedPerSecond(), r.ackP50(), r.ackP99(),
                r.nodeCpuMicros(), r.databaseCpuMicros(), r.eventsPerSecond(), r.lagP50(), r.lagP99(), r.lagMax(),
                r.backlog(), r.drainSeconds(), r.missing(), r.duplicates(), r.badSignatures());
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static double median(List<Map<String, Result>> runs, String key, ToDoubleFunction<Result> figure) {
        return FanoutBenchmark.median(runs.stream().mapToDouble(r -> figure.applyAsDouble(r.get(key))).toArray());
    }

    private static double max(List<Map<String, Result>> runs, String key, ToDoubleFunction<Result> figure) {
        return runs.stream().mapToDouble(r -> figure.applyAsDouble(r.get(key))).max().orElse(Double.NaN);
    }
}
