package io.parley.protocol.rest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.json.AttachmentJson;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UserPresence;

import java.util.Locale;

/**
 * Chats, messages and presence as the REST API, the server API and the webhooks show them (the schemas
 * {@code Chat} and {@code Message} of {@code /openapi.yaml}): one shape wherever the application
 * reads them.
 */
public final class RestShapes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RestShapes() {
    }

    public static ObjectNode chat(Chat c) {
        ObjectNode node = NODES.objectNode();
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

    /** The attachment as every dialect writes it ({@link AttachmentJson}), as a tree. */
    public static ObjectNode attachment(Attachment a) {
        byte[] json = Json.write(gen -> {
            gen.writeStartObject();
            AttachmentJson.writeField(gen, a, false);
            gen.writeEndObject();
        });
        return (ObjectNode) Json.readObject(json, 0, json.length).get("attachment");
    }

    public static ObjectNode message(Message m) {
        ObjectNode node = NODES.objectNode();
        node.put("id", m.id());
        node.put("chat_id", m.chatId());
        node.put("seq", m.seq());
        node.put("sender_id", m.senderId());
        node.put("text", m.content());
        node.put("content_type", m.contentType().code());
        if (m.attachment() != null) {
            node.set("attachment", attachment(m.attachment()));
        }
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

    /** {@code {"user_id", "online", "last_seen"}}: the schema {@code UserPresence}. */
    public static ObjectNode presence(UserPresence p) {
        ObjectNode node = NODES.objectNode();
        node.put("user_id", p.userId());
        node.put("online", p.online());
        if (p.lastSeen() == null) {
            node.putNull("last_seen");
        } else {
            node.put("last_seen", Json.timestamp(p.lastSeen()));
        }
        return node;
    }
}
