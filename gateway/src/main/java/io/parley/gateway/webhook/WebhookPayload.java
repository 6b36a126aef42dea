package io.parley.gateway.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.json.Json;
import io.parley.protocol.rest.RestShapes;
import io.parley.storage.OutboxEntry;
import io.parley.storage.OutboxEvent;

/**
 * The body POSTed for one outbox event (docs/webhooks.md):
 * {@code {"id": "<decimal>", "type", "created_at", "chat_id", "data": {...}}}; {@code data} is the
 * event's own object, and a message event's also holds the message as it is when sent.
 */
public final class WebhookPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookPayload() {
    }

    /**
     * The body's bytes.
     *
     * @throws IllegalArgumentException when the event's stored data is not a JSON object (it can
     *                                  never be sent, however often it is tried)
     */
    public static byte[] body(OutboxEntry entry) {
        OutboxEvent event = entry.event();
        ObjectNode body = JSON.createObjectNode();
        // A string: ids are 64-bit, and JavaScript receivers would round a number.
        body.put("id", Long.toString(event.id()));
        body.put("type", event.type());
        body.put("created_at", Json.timestamp(event.createdAt()));
        body.put("chat_id", event.chatId());
        ObjectNode data = data(event);
        if (entry.message() != null) {
            data.set("message", RestShapes.message(entry.message()));
        }
        body.set("data", data);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    private static ObjectNode data(OutboxEvent event) {
        try {
            JsonNode data = JSON.readTree(event.data());
            if (data instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + event.id() + ": data is not JSON: " + e.getOriginalMessage(), e);
        }
        throw new IllegalArgumentException("event " + event.id() + ": data is not a JSON object");
    }
}
