package io.parley.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.util.Locale;

/** The REST API's JSON: a request body, and chats and messages as every answer shows them. */
final class ApiJson {
    private ApiJson() {
    }

    /** The request's body as a JSON object; an empty body is an empty object. */
    static JsonNode body(FullHttpRequest request, String example) {
        if (!request.content().isReadable()) {
            return HttpResponses.JSON.createObjectNode();
        }
        JsonNode body;
        try {
            body = HttpResponses.JSON.readTree(new ByteBufInputStream(request.content().duplicate()));
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "body must be a JSON object such as " + example);
        }
        return body;
    }

    static ObjectNode chat(Chat c) {
        ObjectNode node = HttpResponses.JSON.createObjectNode();
        node.put("id", c.id());
        node.put("kind", c.kind().wireName().toLowerCase(Locale.ROOT));
        if (c.title() == null) {
            node.putNull("title");
        } else {
            node.put("title", c.title());
        }
        node.put("owner_id", c.ownerId());
        if (c.applicationId() != null) {
            node.put("application_id", c.applicationId());
        }
        node.put("created_at", Json.timestamp(c.createdAt()));
        node.put("updated_at", Json.timestamp(c.updatedAt()));
        if (c.closed()) {
            node.put("closed_at", Json.timestamp(c.closedAt()));
        }
        return node;
    }

    static ObjectNode message(Message m) {
        ObjectNode node = HttpResponses.JSON.createObjectNode();
        node.put("id", m.id());
        node.put("chat_id", m.chatId());
        node.put("seq", m.seq());
        node.put("sender_id", m.senderId());
        node.put("text", m.content());
        node.put("content_type", m.contentType().code());
        if (m.replyTo() == null) {
            node.putNull("reply_to");
        } else {
            node.put("reply_to", m.replyTo());
        }
        node.put("created_at", Json.timestamp(m.createdAt()));
        node.put("updated_at", Json.timestamp(m.updatedAt()));
        node.put("edited", m.edited());
        node.put("deleted", m.deleted());
        return node;
    }
}
