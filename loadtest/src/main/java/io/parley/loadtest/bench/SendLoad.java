package io.parley.loadtest.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durable sends over real WebSockets ({@code events} dialect): many clients, each in a support
 * conversation of its own, sending {@code Event.SendMessage} with a request id and timing the
 * acknowledgement (sent only after the commit). Knows nothing of Parley's code: only the wire.
 *
 * <p>Built on the runner's Netty client: every socket's sending and bookkeeping runs on its event
 * loop (timers for the paced phase, the next send on each ack for the closed loop), so the client
 * costs a few threads, not one per socket, and takes as little of the shared CPU as it can.
 */
final class SendLoad implements AutoCloseable {

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\":(\\d+)");
    private static final String REQUEST_ID = "\"id\":\"";
    private static final String MESSAGE_ID = "\"message\":{\"id\":";
    /** The node answers 429 above 64 requests in flight on one socket; stay under it. */
    private static final int MAX_WINDOW = 60;

    private final LoadClient client;
    private final List<Sender> senders = new ArrayList<>();
    private final Recorder latencies = new Recorder(3);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    /** Told each acknowledged message's id (the webhook figure checks every one arrives); null: not parsed. */
    private volatile java.util.function.LongConsumer ackedMessageIds;
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, AtomicLong> refusedByCode = new ConcurrentHashMap<>();

    /** Connects {@code count} clients on {@code threads} event loops; each opens a conversation. */
    SendLoad(GatewayProcess node, int count, long applicationBase, int threads) throws Exception {
        this.client = new LoadClient(threads);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            String user = "bench" + i;
            String body = http.send(HttpRequest.newBuilder(node.uri("/api/v1/dev/tokens", "http"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sub\":\"" + user + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher token = TOKEN.matcher(body);
            if (!token.find()) {
                throw new IllegalStateException("no token in " + body);
            }
            Sender sender = new Sender(user, Long.toString(applicationBase + i));
            sender.connection = client.connect(node.uri("/ws?sid=" + user, "ws"), null, token.group(1), sender)
                    .get(10, TimeUnit.SECONDS);
            sender.loop = sender.connection.eventLoop();
            sender.open();
            senders.add(sender);
        }
    }

    /** Closed loop: every client keeps {@code window} sends in flight; returns acks per second. */
    double maxRate(Duration duration, int window) throws InterruptedException {
        int inFlight = Math.min(window, MAX_WINDOW);
        return run(duration, (sender, end) -> sender.startClosedLoop(inFlight, end));
    }

    /**
     * Open loop at {@code ratePerSecond} in total: each send has an intended time, and latency is
     * measured from it (a late send counts its lateness: no coordinated omission).
     */
    Histogram paced(double ratePerSecond, Duration duration) throws InterruptedException {
        long interval = (long) (1e9 * senders.size() / ratePerSecond);
        latencies.getIntervalHistogram(); // reset
        run(duration, (sender, end) -> sender.startPaced(interval, end));
        return latencies.getIntervalHistogram();
    }

    long refused() {
        return refused.get();
    }

    /** Sends made so far, every phase. */
    long sent() {
        return sent.get();
    }

    /** Sends acknowledged (committed) so far, every phase. */
    long acked() {
        return acked.get();
    }

    /** From now on, each acknowledged send's message id ({@code "message":{"id":...}} of the ack) goes to {@code ids}. */
    void onAckedMessageIds(java.util.function.LongConsumer ids) {
        this.ackedMessageIds = ids;
    }

    /** Refused sends by error code (429: more than 64 requests in flight on a socket; 503: store). */
    Map<String, AtomicLong> refusedByCode() {
        return refusedByCode;
    }

    private double run(Duration duration, PhaseStart phase) throws InterruptedException {
        long ackedBefore = acked.get();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (Sender sender : senders) {
            sender.loop.execute(() -> phase.start(sender, end));
        }
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
        double rate = (acked.get() - ackedBefore) / ((System.nanoTime() - start) / 1e9);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Sender sender : senders) { // let the last answers arrive before the next phase
            while (sender.outstanding > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        return rate;
    }

    @Override
    public void close() {
        senders.forEach(sender -> sender.connection.close());
        client.close();
    }

    @FunctionalInterface
    private interface PhaseStart {
        void start(Sender sender, long endNanos);
    }

    /** One socket. Everything but {@link #outstanding}'s reads runs on its event loop. */
    private final class Sender implements LoadClient.Listener {
        final String user;
        final String channel;
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        /** Request id -> intended send time (nanoTime). */
        final Map<Long, Long> sentAt = new HashMap<>();
        WsConnection connection;
        EventLoop loop;
        long nextId;
        volatile int outstanding;
        boolean closedLoop;
        long endNanos;

        Sender(String user, String channel) {
            this.user = user;
            this.channel = channel;
        }

        void open() throws Exception {
            connection.send("{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"" + user
                    + "\",\"application_id\":" + channel + "}}");
            opened.get(10, TimeUnit.SECONDS);
        }

        void startClosedLoop(int window, long end) {
            closedLoop = true;
            endNanos = end;
            for (int i = 0; i < window; i++) {
                send(System.nanoTime());
            }
        }

        void startPaced(long interval, long end) {
            closedLoop = false;
            endNanos = end;
            long first = System.nanoTime() + ThreadLocalRandom.current().nextLong(Math.max(1, interval));
            loop.schedule(() -> tick(first, interval), first - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        /** Sends every message due by now (catching up if the timer fired late), then waits for the next. */
        private void tick(long due, long interval) {
            long now = System.nanoTime();
            while (due <= now && due < endNanos) {
                send(due);
                due += interval;
            }
            if (due < endNanos) {
                long next = due;
                loop.schedule(() -> tick(next, interval), next - now, TimeUnit.NANOSECONDS);
            }
        }

        private void send(long intendedNanos) {
            long id = nextId++;
            sentAt.put(id, intendedNanos);
            outstanding = sentAt.size();
            sent.incrementAndGet();
            connection.send("{\"name\":\"Event.SendMessage\",\"id\":\"" + id + "\",\"args\":{\"session_channel\":\""
                    + channel + "\",\"sender_id\":\"" + user + "\",\"content\":\"" + BenchMessages.content((int) id)
                    + "\"}}");
        }

        @Override
        public void onText(WsConnection connection, ByteBuf payload, long nanos) {
            String text = WsConnection.text(payload);
            if (text.startsWith("{\"name\":\"Event.AddConversation\"")) {
                opened.complete(null);
                return;
            }
            int at = text.indexOf(REQUEST_ID);
            if (at < 0) {
                return;
            }
            int from = at + REQUEST_ID.length();
            Long sent = sentAt.remove(Long.parseLong(text, from, text.indexOf('"', from), 10));
            outstanding = sentAt.size();
            if (sent == null) {
                return;
            }
            if (text.contains("\"ok\":true")) {
                java.util.function.LongConsumer ids = ackedMessageIds;
                if (ids != null) {
                    int m = text.indexOf(MESSAGE_ID);
                    if (m < 0) {
                        throw new IllegalStateException("no message id in the acknowledgement " + text);
                    }
                    int digits = m + MESSAGE_ID.length();
                    int stop = digits;
                    while (stop < text.length() && Character.isDigit(text.charAt(stop))) {
                        stop++;
                    }
                    ids.accept(Long.parseLong(text, digits, stop, 10));
                }
                acked.incrementAndGet();
                latencies.recordValue(Math.max(1, (nanos - sent) / 1_000)); // microseconds
            } else {
                refused.incrementAndGet();
                Matcher code = ERROR_CODE.matcher(text);
                refusedByCode.computeIfAbsent(code.find() ? code.group(1) : "?", k -> new AtomicLong())
                        .incrementAndGet();
            }
            if (closedLoop && nanos < endNanos) {
                send(System.nanoTime());
            }
        }
    }
}
