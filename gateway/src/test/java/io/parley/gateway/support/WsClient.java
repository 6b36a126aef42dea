package io.parley.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client (the JDK's {@code java.net.http.WebSocket}) that collects every text
 * message it receives, for end-to-end tests.
 */
public final class WsClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final Listener listener;

    private WsClient(WebSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    public static WsClient connect(URI uri, String... subprotocols) {
        return connect(uri, java.util.Map.of(), subprotocols);
    }

    /** Connects with extra request headers, e.g. {@code Authorization: Bearer <jwt>}. */
    public static WsClient connect(URI uri, java.util.Map<String, String> headers, String... subprotocols) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        WebSocket socket = builder.buildAsync(uri, listener).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        return new WsClient(socket, listener);
    }

    /** The HTTP status the server refused the handshake with. */
    public static int refusedStatus(URI uri, String... subprotocols) {
        return refusedStatus(uri, java.util.Map.of(), subprotocols);
    }

    /** The HTTP status the server refused the handshake with, sending these headers. */
    public static int refusedStatus(URI uri, java.util.Map<String, String> headers, String... subprotocols) {
        try {
            connect(uri, headers, subprotocols).close();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
        throw new AssertionError("handshake to " + uri + " was accepted");
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public WsClient send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public WsClient sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        return this;
    }

    /** Sends a seed-002 style frame with object args. */
    public WsClient event(String name, Object args) {
        try {
            return send(JSON.writeValueAsString(java.util.Map.of("name", name, "args", args)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next frame that carries {@code code} as a whole value (an error's code, whatever the
     * dialect's shape); not a frame that merely contains the digits, as a chat id may.
     */
    public JsonNode awaitCode(int code) {
        String wanted = Integer.toString(code);
        return await(frame -> hasValue(frame, wanted));
    }

    private static boolean hasValue(JsonNode node, String value) {
        if (node.isValueNode()) {
            return node.asText().equals(value);
        }
        for (JsonNode child : node) {
            if (hasValue(child, value)) {
                return true;
            }
        }
        return false;
    }

    /** Waits for the next received message that matches, skipping (and keeping) others. */
    public JsonNode await(Predicate<JsonNode> match) {
        JsonNode found = awaitWithin(match, TIMEOUT);
        if (found == null) {
            synchronized (listener.skipped) {
                throw new AssertionError("no matching message within " + TIMEOUT + "; received: " + listener.skipped);
            }
        }
        return found;
    }

    /** As {@link #await}, but waits at most {@code wait} and returns {@code null} when nothing matches. */
    public JsonNode awaitWithin(Predicate<JsonNode> match, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            synchronized (listener.skipped) {
                for (int i = 0; i < listener.skipped.size(); i++) {
                    if (match.test(listener.skipped.get(i))) {
                        return listener.skipped.remove(i);
                    }
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                JsonNode next = listener.received.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    continue;
                }
                if (match.test(next)) {
                    return next;
                }
                synchronized (listener.skipped) {
                    listener.skipped.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** The next message whose {@code type} is this. */
    public JsonNode awaitType(String type) {
        return await(m -> type.equals(m.path("type").asText()));
    }

    /** Sends any object as JSON. */
    public WsClient json(Object frame) {
        try {
            return send(JSON.writeValueAsString(frame));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next message with this {@code name}. */
    public JsonNode awaitName(String name) {
        return await(m -> name.equals(m.path("name").asText()));
    }

    /** True if no message matching arrives within the wait. */
    public boolean receivesNothing(Predicate<JsonNode> match, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonNode next = listener.received.poll(10, TimeUnit.MILLISECONDS);
                if (next != null) {
                    if (match.test(next)) {
                        return false;
                    }
                    synchronized (listener.skipped) {
                        listener.skipped.add(next);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * Every received message that matches, until none has arrived for {@code quiet} (others are
     * kept for later awaits).
     */
    public List<JsonNode> drain(Predicate<JsonNode> match, Duration quiet) {
        List<JsonNode> matched = new ArrayList<>();
        synchronized (listener.skipped) {
            listener.skipped.removeIf(m -> match.test(m) && matched.add(m));
        }
        try {
            while (true) {
                JsonNode next = listener.received.poll(quiet.toNanos(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    return matched;
                }
                if (match.test(next)) {
                    matched.add(next);
                } else {
                    synchronized (listener.skipped) {
                        listener.skipped.add(next);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return matched;
        }
    }

    /** Waits for the server's close frame; returns its status code (-1: the connection failed, see {@link #failure()}). */
    public int awaitClose() {
        return listener.closed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Why the connection failed without a close frame, or null. */
    public Throwable failure() {
        return listener.failure;
    }

    /** Every message received so far, in arrival order, whether awaited or not. */
    public List<JsonNode> allReceived() {
        synchronized (listener.log) {
            return List.copyOf(listener.log);
        }
    }

    public boolean isOpen() {
        return !listener.closed.isDone() && !socket.isInputClosed() && !socket.isOutputClosed();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final List<JsonNode> skipped = new ArrayList<>();
        final List<JsonNode> log = new ArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile Throwable failure;
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode frame;
                try {
                    frame = JSON.readTree(partial.toString());
                } catch (Exception e) {
                    frame = JSON.getNodeFactory().textNode("unparsable: " + partial);
                }
                synchronized (log) {
                    log.add(frame);
                }
                received.add(frame);
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failure = error;
            closed.complete(-1);
        }
    }
}
