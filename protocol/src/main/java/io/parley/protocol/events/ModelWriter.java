package io.parley.protocol.events;

import com.fasterxml.jackson.core.JsonGenerator;
import io.parley.protocol.json.AttachmentJson;
import io.parley.protocol.json.Json;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UnreadCount;

import java.io.IOException;

/** Writes the seed-002 conversation, message and unread objects. */
final class ModelWriter {

    private ModelWriter() {
    }

    /**
     * {@code {"id", "session_channel", "application_id"?, "create_at", "update_at", "kind",
     * "title"?}}: {@code id} is the chat's store number, {@code session_channel} its public id.
     */
    static void conversation(JsonGenerator gen, Chat chat) throws IOException {
        gen.writeStartObject();
        gen.writeNumberField("id", chat.number());
        gen.writeStringField("session_channel", chat.id());
        if (chat.applicationId() != null) {
            gen.writeNumberField("application_id", chat.applicationId());
        }
        gen.writeStringField("create_at", Json.timestamp(chat.createdAt()));
        gen.writeStringField("update_at", Json.timestamp(chat.updatedAt()));
        gen.writeStringField("kind", chat.kind().wireName());
        if (chat.title() != null) {
            gen.writeStringField("title", chat.title());
        }
        gen.writeEndObject();
    }

    /**
     * {@code {"id", "session_channel", "content", "sender_id", "status", "create_at", "update_at",
     * "content_type", "reply_to"?, "edited"?, "deleted"?}}.
     */
    static void message(JsonGenerator gen, Message message, int status) throws IOException {
        gen.writeStartObject();
        gen.writeNumberField("id", message.id());
        gen.writeStringField("session_channel", message.chatId());
        gen.writeStringField("content", message.content());
        Json.writeId(gen, "sender_id", message.senderId());
        gen.writeNumberField("status", status);
        String created = Json.timestamp(message.createdAt());
        gen.writeStringField("create_at", created);
        // Equal for every message never edited: format once.
        gen.writeStringField("update_at", message.updatedAt().equals(message.createdAt())
                ? created : Json.timestamp(message.updatedAt()));
        gen.writeNumberField("content_type", message.contentType().code());
        AttachmentJson.writeField(gen, message.attachment(), false);
        if (message.replyTo() != null) {
            gen.writeNumberField("reply_to", message.replyTo());
        }
        if (message.edited()) {
            gen.writeBooleanField("edited", true);
        }
        if (message.deleted()) {
            gen.writeBooleanField("deleted", true);
        }
        gen.writeEndObject();
    }

    /** {@code {"session_channel", "unread"}}. */
    static void unread(JsonGenerator gen, UnreadCount count) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("session_channel", count.chatId());
        gen.writeNumberField("unread", count.unread());
        gen.writeEndObject();
    }
}
