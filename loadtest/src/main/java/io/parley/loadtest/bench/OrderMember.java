package io.parley.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.parley.loadtest.bench.OrderInvariants.Message;
import io.parley.loadtest.client.LoadClient;
import io.parley.loadtest.client.WsConnection;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One user of {@link OrderCheck} on one socket of dialect {@code actions}: sends its numbered
 * messages and records, in arrival order, every message of the chat that reaches its socket
 * ({@code new_message} pushes and its own {@code send_message} acks), and what went wrong
 * (refused requests, the socket closing).
 */
final class OrderMember implements LoadClient.Listener {
    static final ObjectMapper JSON = new ObjectMapper();

    final String label;
    final String userId;
    final int node;
    private final Function<JsonNode, Message> parse;
    private final List<Message> received = new ArrayList<>();
    private final List<Message> acked = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private volatile CompletableFuture<JsonNode> created;
    private volatile CountDownLatch acks = new CountDownLatch(0);
    private WsConnection connection;
    private volatile boolean closing;

    /** @param parse a message of the chat from its JSON object, labelled as sender#index */
    OrderMember(String label, String userId, int node, Function<JsonNode, Message> parse) {
        this.label = label;
        this.userId = userId;
        this.node = node;
        this.parse = parse;
    }

    void connect(LoadClient client, URI uri, String token) throws Exception {
        connection = client.connect(uri, null, token, this).get(30, TimeUnit.SECONDS);
    }

    /** Creates a group chat of this user and {@code members}; returns the reply's {@code data.chat.id}. */
    String createChat(List<String> members) throws Exception {
        created = new CompletableFuture<>();
        connection.send(JSON.writeValueAsString(Map.of("type", "create_chat", "members", members,
                "request_id", label + "-create")));
        JsonNode reply = created.get(30, TimeUnit.SECONDS);
        if (!reply.path("ok").asBoolean(false)) {
            throw new IllegalStateException(label + ": create_chat refused: " + reply);
        }
        return reply.path("data").path("chat").path("id").asText();
    }

    /** Counts down once per send_message reply (ok or not) from now on. */
    void expectAcks(CountDownLatch latch) {
        acks = latch;
    }

    /** Sends {@code sender#from .. sender#(from+count-1)} as fast as the socket goes, resting 5 ms after every fifth. */
    void send(String chatId, int from, int count) throws IOException, InterruptedException {
        for (int i = from; i < from + count; i++) {
            connection.send(JSON.writeValueAsString(Map.of("type", "send_message", "chat_id", chatId,
                    "text", userId + "#" + i, "request_id", label + "-" + i)));
            if ((i - from + 1) % 5 == 0) {
                Thread.sleep(5);
            }
        }
    }

    synchronized List<Message> received() {
        return List.copyOf(received);
    }

    synchronized List<Message> acked() {
        return List.copyOf(acked);
    }

    /** What went wrong since the last call. */
    synchronized List<String> drainProblems() {
        List<String> drained = List.copyOf(problems);
        problems.clear();
        return drained;
    }

    void close() {
        closing = true;
        if (connection != null) {
            connection.close();
        }
    }

    @Override
    public void onText(WsConnection c, ByteBuf payload, long nanos) {
        String text = WsConnection.text(payload);
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (IOException e) {
            problem("unreadable frame: " + text);
            return;
        }
        switch (frame.path("type").asText()) {
            case "create_chat" -> {
                CompletableFuture<JsonNode> waiting = created;
                if (waiting != null) {
                    waiting.complete(frame);
                }
            }
            case "new_message" -> record(frame.path("data").path("message"), false);
            case "send_message" -> {
                if (frame.path("ok").asBoolean(false)) {
                    record(frame.path("data").path("message"), true);
                } else {
                    problem("send " + frame.path("request_id").asText() + " refused: " + frame.path("error"));
                }
                acks.countDown();
            }
            case "error" -> problem("error frame: " + text);
            default -> {
                // read receipts, typing: not part of the order
            }
        }
    }

    private synchronized void record(JsonNode message, boolean own) {
        Message m = parse.apply(message);
        received.add(m);
        if (own) {
            acked.add(m);
        }
    }

    private synchronized void problem(String what) {
        problems.add(what);
    }

    @Override
    public void onClosed(WsConnection c) {
        if (!closing) {
            problem("socket closed by the node");
        }
    }
}
