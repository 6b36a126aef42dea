package io.parley.loadtest.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durable sends over real WebSockets ({@code events} dialect): many clients, each in a support
 * conversation of its own, sending {@code Event.SendMessage} with a request id and timing the
 * acknowledgement (sent only after the commit). Knows nothing of Parley's code: only the wire.
 */
final class SendLoad implements AutoCloseable {

    private static final Pattern REQUEST_ID = Pattern.compile("\"id\":\"(\\d+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\":(\\d+)");

    private final List<Client> clients = new ArrayList<>();
    private final Recorder latencies = new Recorder(3);
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, AtomicLong> refusedByCode = new ConcurrentHashMap<>();

    /** Connects {@code count} clients; each opens a conversation. */
    SendLoad(GatewayProcess node, int count, long applicationBase) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // A few HTTP clients: each has one selector thread that reads all of its sockets.
        List<HttpClient> selectors = List.of(HttpClient.newHttpClient(), HttpClient.newHttpClient());
        for (int i = 0; i < count; i++) {
            String user = "bench" + i;
            String body = http.send(HttpRequest.newBuilder(node.uri("/api/v1/dev/tokens", "http"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sub\":\"" + user + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher token = TOKEN.matcher(body);
            if (!token.find()) {
                throw new IllegalStateException("no token in " + body);
            }
            Client client = new Client(user, Long.toString(applicationBase + i));
            client.socket = selectors.get(i % selectors.size()).newWebSocketBuilder()
                    .subprotocols("access_token", token.group(1))
                    .buildAsync(node.uri("/ws?sid=" + user, "ws"), client).get(10, TimeUnit.SECONDS);
            client.open();
            clients.add(client);
        }
    }

    /** Closed loop: every client keeps {@code window} sends in flight; returns acks per second. */
    double maxRate(Duration duration, int window) throws InterruptedException {
        return run(duration, client -> {
            client.window.acquireUninterruptibly();
            client.send(System.nanoTime());
        }, window);
    }

    /**
     * Open loop at {@code ratePerSecond} in total: each send has an intended time, and latency is
     * measured from it (a late send counts its lateness: no coordinated omission).
     */
    Histogram paced(double ratePerSecond, Duration duration) throws InterruptedException {
        long interval = (long) (1e9 * clients.size() / ratePerSecond);
        latencies.getIntervalHistogram(); // reset
        long start = System.nanoTime();
        run(duration, new Pacer(start, interval), Integer.MAX_VALUE);
        return latencies.getIntervalHistogram();
    }

    long refused() {
        return refused.get();
    }

    /** Refused sends by error code (429: more than 64 in flight on a socket; 503: store). */
    Map<String, AtomicLong> refusedByCode() {
        return refusedByCode;
    }

    private double run(Duration duration, SendStep step, int window) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        long ackedBefore = acked.get();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Client client : clients) {
            client.window.drainPermits();
            client.window.release(Math.min(window, 60)); // the node allows 64 requests in flight
            SendStep own = step instanceof Pacer p ? p.copy() : step;
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < end) {
                    own.next(client);
                }
            }, "send-" + client.user);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double rate = (acked.get() - ackedBefore) / ((System.nanoTime() - start) / 1e9);
        for (Client client : clients) { // let the last answers arrive before the next phase
            client.awaitIdle(Duration.ofSeconds(30));
        }
        return rate;
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
    }

    @FunctionalInterface
    private interface SendStep {
        void next(Client client);
    }

    /** Sends at fixed intended times: one client's share of the total rate, at a random phase. */
    private static final class Pacer implements SendStep {
        private final long start;
        private final long interval;
        private final long phase;
        private long k;

        Pacer(long start, long interval) {
            this.start = start;
            this.interval = interval;
            this.phase = ThreadLocalRandom.current().nextLong(Math.max(1, interval));
        }

        Pacer copy() {
            return new Pacer(start, interval);
        }

        @Override
        public void next(Client client) {
            long intended = start + phase + k++ * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            client.send(intended);
        }
    }

    private final class Client implements WebSocket.Listener {
        final String user;
        final String channel;
        final Semaphore window = new Semaphore(0);
        final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        final StringBuilder partial = new StringBuilder();
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        WebSocket socket;
        long nextId;

        Client(String user, String channel) {
            this.user = user;
            this.channel = channel;
        }

        void open() throws Exception {
            socket.sendText("{\"name\":\"Event.AddConversation\",\"args\":{\"user_id\":\"" + user
                    + "\",\"application_id\":" + channel + "}}", true).join();
            opened.get(10, TimeUnit.SECONDS);
        }

        void send(long intendedNanos) {
            long id = nextId++;
            sentAt.put(id, intendedNanos);
            socket.sendText("{\"name\":\"Event.SendMessage\",\"id\":\"" + id + "\",\"args\":{\"session_channel\":\""
                    + channel + "\",\"sender_id\":\"" + user + "\",\"content\":\"" + BenchMessages.content((int) id)
                    + "\"}}", true).join();
        }

        void awaitIdle(Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!sentAt.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                answer(partial.toString(), System.nanoTime());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void answer(String text, long now) {
            if (text.startsWith("{\"name\":\"Event.AddConversation\"")) {
                opened.complete(null);
                return;
            }
            Matcher id = REQUEST_ID.matcher(text);
            if (!id.find()) {
                return;
            }
            Long sent = sentAt.remove(Long.parseLong(id.group(1)));
            if (sent == null) {
                return;
            }
            if (text.contains("\"ok\":true")) {
                acked.incrementAndGet();
                latencies.recordValue(Math.max(1, (now - sent) / 1_000)); // microseconds
            } else {
                refused.incrementAndGet();
                Matcher code = ERROR_CODE.matcher(text);
                refusedByCode.computeIfAbsent(code.find() ? code.group(1) : "?", k -> new AtomicLong())
                        .incrementAndGet();
            }
            window.release();
        }
    }
}
