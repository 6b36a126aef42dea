package io.parley.gateway.cluster.check;

import com.fasterxml.jackson.databind.JsonNode;

import io.parley.gateway.support.WsClient;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One member of a checked chat, as a client app behaves: connected to a node in its dialect, it
 * sends its messages with random pauses (sometimes several without waiting), and when its socket
 * dies with its node it reconnects to another node and resumes: it pages the history after the
 * last message it saw, then goes on sending.
 */
final class Member {
    private static final Duration READY_WAIT = Duration.ofSeconds(10);
    private static final Duration RECONNECT_DEADLINE = Duration.ofSeconds(30);

    final String userId;
    final String chatId;
    final Dialect dialect;
    private final String label;
    private final CheckedCluster cluster;
    private final HttpClient http;
    private final Random random;
    private final List<String> sent = new ArrayList<>();
    private final List<OrderChecker.Segment> finished = new ArrayList<>();
    private WsClient socket;
    private CheckedCluster.Node node;

    Member(String label, String userId, String chatId, Dialect dialect, CheckedCluster cluster, HttpClient http,
           Random random) {
        this.label = label;
        this.userId = userId;
        this.chatId = chatId;
        this.dialect = dialect;
        this.cluster = cluster;
        this.http = http;
        this.random = random;
    }

    /** Connects to the node and waits until the dialect is ready to send (pair: hello answered). */
    synchronized void connect(CheckedCluster.Node to) {
        node = to;
        socket = WsClient.connect(to.ws(dialect.path(chatId, userId)), dialect.headers(userId),
                dialect.subprotocols(userId));
        String hello = dialect.hello(userId);
        if (hello != null) {
            socket.send(hello);
            if (socket.awaitWithin(frame -> frame.path("code").asInt() == 200, READY_WAIT) == null) {
                throw new IllegalStateException(this + ": hello not answered: " + socket.allReceived());
            }
        }
    }

    /** Sends {@code count} messages named {@code <chat label>/<member label>#i}, resuming on another node if its node dies. */
    void sendAll(String chatLabel, int count) {
        for (int i = 0; i < count; i++) {
            send(chatLabel + "/" + label + "#" + i);
            int pause = random.nextInt(10);
            if (pause >= 4) { // else the next one follows at once: several in flight
                CheckRound.sleep(pause * 3L);
            }
        }
    }

    void send(String text) {
        String frame = dialect.send(chatId, userId, text);
        synchronized (this) {
            sent.add(text);
        }
        try {
            current().send(frame);
        } catch (RuntimeException nodeGone) {
            resume(); // its node died under it: the frame may or may not have reached it; not sent again
        }
    }

    private synchronized WsClient current() {
        if (!socket.isOpen() && !cluster.nodes().contains(node)) {
            resume();
        }
        return socket;
    }

    /**
     * The node died: keep what this socket saw, connect to another node, and page the history
     * after the last message seen (what a client does with the last id it knows).
     */
    synchronized void resume() {
        List<String> seen = received(socket);
        finished.add(new OrderChecker.Segment("socket on node " + node.id(), seen));
        socket.close();
        long deadline = System.nanoTime() + RECONNECT_DEADLINE.toNanos();
        while (true) {
            List<CheckedCluster.Node> up = cluster.nodes();
            CheckedCluster.Node next = up.get(random.nextInt(up.size()));
            try {
                connect(next);
                break;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(this + " could not reconnect", e);
                }
                CheckRound.sleep(200);
            }
        }
        List<String> history = HistoryPages.texts(http, node, userId, chatId);
        String lastSeen = lastOf(finished);
        int from = lastSeen == null ? 0 : history.indexOf(lastSeen) + 1;
        finished.add(new OrderChecker.Segment("history paged on node " + node.id() + " after " + lastSeen,
                history.subList(from, history.size())));
    }

    /** Resumes if its node died and nobody noticed yet (it sent nothing since). */
    void resumeIfOrphaned() {
        current();
    }

    private static String lastOf(List<OrderChecker.Segment> segments) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            List<String> texts = segments.get(i).texts();
            if (!texts.isEmpty()) {
                return texts.get(texts.size() - 1);
            }
        }
        return null;
    }

    private List<String> received(WsClient on) {
        return dialect.texts(on.allReceived(), chatId);
    }

    /** Every message this member has, from every socket and page so far. */
    synchronized Set<String> everything() {
        Set<String> all = new HashSet<>();
        finished.forEach(segment -> all.addAll(segment.texts()));
        all.addAll(received(socket));
        return all;
    }

    synchronized OrderChecker.Member record() {
        List<OrderChecker.Segment> segments = new ArrayList<>(finished);
        segments.add(new OrderChecker.Segment("socket on node " + node.id(), received(socket)));
        Set<String> acknowledged = new HashSet<>();
        for (OrderChecker.Segment segment : segments) {
            for (String text : segment.texts()) {
                if (text.contains("/" + label + "#") && segment.source().startsWith("socket")) {
                    acknowledged.add(text); // its own message came back on its own socket
                }
            }
        }
        return new OrderChecker.Member(toString(), List.copyOf(sent), acknowledged, segments);
    }

    /** The frames that answered with an error, for the report. */
    synchronized List<JsonNode> errors() {
        return socket.allReceived().stream().filter(frame -> frame.path("ok").asText().equals("false")
                || "error".equals(frame.path("type").asText())
                || frame.path("code").asInt() >= 400).toList();
    }

    void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return label + " (" + dialect.name().toLowerCase() + ", node " + node.id() + ")";
    }
}
