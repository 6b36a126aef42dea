package io.parley.gateway.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real node process with {@code PARLEY_LOG_FORMAT=json} and the jar's own logback.xml (the tests'
 * logback-test.xml would otherwise win on the class path): every line it writes is a JSON object,
 * and its connection-scoped lines carry the connection's fields in the MDC.
 */
class JsonLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE_ID = "7";

    @Test
    void everyLineIsJsonAndConnectionLinesCarryTheConnection() {
        List<JsonNode> lines;
        try (NodeProcess node = NodeProcess.start(
                Map.of("PARLEY_LOG_FORMAT", "json", "PARLEY_LOG_LEVEL", "DEBUG", "PARLEY_NODE_ID", NODE_ID),
                List.of("-Dlogback.configurationFile=logback.xml"))) {
            // A refused handshake after the token was read: user 1 asks for user 2's socket.
            assertThat(WsClient.refusedStatus(node.ws("/api/v1/websocket/ws/2"),
                    Map.of("Authorization", "Bearer " + TestNode.token("1")))).isEqualTo(403);
            // A server-initiated close on a live session: binary frames are refused with 1003.
            try (WsClient client = WsClient.connect(node.ws("/ws?sid=1"), "access_token", TestNode.token("1"))) {
                client.sendBinary(new byte[] {1, 2, 3});
                assertThat(client.awaitClose()).isEqualTo(1003);
            }
            awaitLine(node, line -> line.path("formattedMessage").asText().contains("with 1003"));
            node.terminate(Duration.ofSeconds(30)); // SIGTERM: the shutdown is logged too
            lines = parse(node.output());
        }

        assertThat(lines).allSatisfy(line -> {
            assertThat(line.path("level").asText()).isNotEmpty();
            assertThat(line.path("loggerName").asText()).isNotEmpty();
            assertThat(OffsetDateTime.parse(line.path(ParleyJsonEncoder.DATE_FIELD).asText()).getOffset().getTotalSeconds())
                    .as("ISO-8601 in UTC").isZero();
        });
        JsonNode refused = only(lines, "handshake refused");
        assertThat(refused.path("level").asText()).isEqualTo("DEBUG");
        assertThat(mdc(refused)).containsEntry(ConnectionMdc.DIALECT, "actions").containsEntry(ConnectionMdc.USER_ID, "1")
                .containsEntry(ConnectionMdc.NODE_ID, NODE_ID).containsKey(ConnectionMdc.CONNECTION_ID);
        JsonNode closed = only(lines, "with 1003");
        assertThat(mdc(closed)).containsEntry(ConnectionMdc.DIALECT, "events").containsEntry(ConnectionMdc.USER_ID, "1")
                .containsEntry(ConnectionMdc.NODE_ID, NODE_ID);
        assertThat(mdc(closed).get(ConnectionMdc.CONNECTION_ID)).matches("[0-9a-f]{8}")
                .as("another connection").isNotEqualTo(mdc(refused).get(ConnectionMdc.CONNECTION_ID));
        assertThat(closed.path("formattedMessage").asText()).contains(mdc(closed).get(ConnectionMdc.CONNECTION_ID));
        // Lines about the node, not a connection, carry no connection fields.
        assertThat(mdc(only(lines, "listening on"))).isEmpty();
        assertThat(mdc(only(lines, "stopped"))).isEmpty();
    }

    private static List<JsonNode> parse(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode parsed = JSON.readTree(line);
                assertThat(parsed.isObject()).as("a JSON object: %s", line).isTrue();
                lines.add(parsed);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        assertThat(lines).isNotEmpty();
        return lines;
    }

    private static JsonNode only(List<JsonNode> lines, String text) {
        List<JsonNode> matching = lines.stream().filter(line -> line.path("formattedMessage").asText().contains(text)).toList();
        assertThat(matching).as("lines containing '%s'", text).hasSize(1);
        return matching.get(0);
    }

    private static Map<String, String> mdc(JsonNode line) {
        return JSON.convertValue(line.path("mdc"), JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    }

    /** Waits (bounded) until the node has logged a line matching {@code match}: logging is asynchronous to the client. */
    private static void awaitLine(NodeProcess node, Predicate<JsonNode> match) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (parse(node.output()).stream().anyMatch(match)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no such line within 10s; log: " + node.tail());
    }
}
