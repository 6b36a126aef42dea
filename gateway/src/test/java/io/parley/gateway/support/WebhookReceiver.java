package io.parley.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real webhook receiver for tests: the JDK's HTTP server on a loopback port that can answer
 * 204, answer 500, hold every request until released (a slow receiver) or be stopped (connections
 * refused) and started again on the same port. It keeps every request it got.
 */
public final class WebhookReceiver implements AutoCloseable {
    public enum Mode { ACCEPT, FAIL, HOLD }

    /** One request as it arrived. */
    public record Received(String eventIdHeader, String signature, String contentType, byte[] body, long receivedAtSecond,
                    int answered) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String id() {
            return json().path("id").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final List<Received> received = new ArrayList<>();
    private final int port;
    private HttpServer server;
    private volatile Mode mode = Mode.ACCEPT;
    private volatile CountDownLatch held = new CountDownLatch(0);
    private int holding;

    private WebhookReceiver(int port) {
        this.port = port;
    }

    public static WebhookReceiver start() {
        WebhookReceiver receiver = new WebhookReceiver(0);
        receiver.listen(0);
        return receiver;
    }

    private void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(handlers);
        server.createContext("/hook", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public void mode(Mode mode) {
        if (mode == Mode.HOLD) {
            held = new CountDownLatch(1);
        }
        this.mode = mode;
        if (mode != Mode.HOLD) {
            held.countDown();
        }
    }

    /** Stops listening: connections are refused until {@link #restart()}. */
    public void stop() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    public void restart() {
        listen(portOf());
    }

    private int portOf() {
        return Integer.parseInt(url().replaceAll(".*:(\\d+)/hook", "$1"));
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Mode now = mode;
        if (now == Mode.HOLD) {
            synchronized (this) {
                holding++;
                notifyAll();
            }
            try {
                held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status = mode == Mode.FAIL ? 500 : 204; // a held request is answered as the mode says when released
        var headers = exchange.getRequestHeaders();
        synchronized (this) {
            received.add(new Received(headers.getFirst("Parley-Event-Id"), headers.getFirst("Parley-Signature"),
                    headers.getFirst("Content-Type"), body, System.currentTimeMillis() / 1000, status));
            notifyAll();
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The ids answered with 2xx (each once, in order of first arrival). */
    public synchronized Set<String> deliveredIds() {
        Set<String> ids = new LinkedHashSet<>();
        received.stream().filter(r -> r.answered() == 204).forEach(r -> ids.add(r.id()));
        return ids;
    }

    /** Waits until a request matching {@code what} has arrived (answered), at most a minute. */
    public synchronized void await(String what, Predicate<List<Received>> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(received)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("receiver: timed out waiting for " + what + "; got " + summary());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until the receiver holds at least {@code n} requests in {@link Mode#HOLD}. */
    public synchronized void awaitHolding(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (holding < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("receiver: holds " + holding + " request(s), expected " + n);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    public void awaitDelivered(Set<String> ids) throws InterruptedException {
        await("delivery of " + ids, r -> deliveredIds().containsAll(ids));
    }

    private String summary() {
        return received.stream().map(r -> r.id() + "=" + r.answered()).toList().toString();
    }

    /** How many requests each id got (duplicates show as counts above 1). */
    public synchronized Map<String, Long> attemptsById() {
        return received.stream().collect(java.util.stream.Collectors.groupingBy(Received::id,
                java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    @Override
    public void close() {
        held.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
