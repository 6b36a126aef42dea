package io.parley.gateway.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket connection (the JDK client) that keeps every text frame it receives, in
 * arrival order, for the checker. Sends are serialized: one frame at a time, as a browser's
 * socket sends them.
 */
final class RecordingSocket implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final WebSocket socket;
    private final Recorder recorder;

    private RecordingSocket(WebSocket socket, Recorder recorder) {
        this.socket = socket;
        this.recorder = recorder;
    }

    static RecordingSocket open(HttpClient http, URI uri, Map<String, String> headers, String... subprotocols) {
        Recorder recorder = new Recorder();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        WebSocket socket = builder.buildAsync(uri, recorder)
                .orTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        return new RecordingSocket(socket, recorder);
    }

    /** Sends a frame; false if the socket is gone (its node died). */
    synchronized boolean send(String text) {
        try {
            socket.sendText(text, true).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Every frame received so far, in arrival order. */
    List<JsonNode> frames() {
        synchronized (recorder.frames) {
            return List.copyOf(recorder.frames);
        }
    }

    /** Waits (bounded) until a received frame matches. */
    boolean await(Predicate<JsonNode> match, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (frames().stream().anyMatch(match)) {
                return true;
            }
            sleep(10);
        }
        return false;
    }

    boolean isOpen() {
        return !recorder.closed.isDone() && !socket.isInputClosed();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(failure -> null);
        }
        socket.abort();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final class Recorder implements WebSocket.Listener {
        final List<JsonNode> frames = new ArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode frame = JSON.readTree(partial.toString());
                    synchronized (frames) {
                        frames.add(frame);
                    }
                } catch (IOException e) {
                    synchronized (frames) {
                        frames.add(JSON.createObjectNode().put("unparsable", partial.toString()));
                    }
                }
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
            closed.complete(-1);
        }
    }
}
