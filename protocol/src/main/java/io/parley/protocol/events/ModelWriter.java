package io.parley.protocol.events;

import com.fasterxml.jackson.core.JsonGenerator;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UnreadCount;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

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
        gen.writeStringField("create_at", timestamp(chat.createdAt()));
        gen.writeStringField("update_at", timestamp(chat.updatedAt()));
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
        userId(gen, "sender_id", message.senderId());
        gen.writeNumberField("status", status);
        gen.writeStringField("create_at", timestamp(message.createdAt()));
        gen.writeStringField("update_at", timestamp(message.updatedAt()));
        gen.writeNumberField("content_type", message.contentType().code());
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

    /**
     * A user id as the seed shows it: a JSON number when the id is the canonical decimal form
     * of a 64-bit integer ({@code "1"} becomes {@code 1}, {@code "007"} stays a string), else a
     * string, so the client can send back exactly the id it got.
     */
    static void userId(JsonGenerator gen, String field, String id) throws IOException {
        Long numeric = canonicalLong(id);
        if (numeric != null) {
            gen.writeNumberField(field, numeric);
        } else {
            gen.writeStringField(field, id);
        }
    }

    static Long canonicalLong(String text) {
        int length = text.length();
        if (length == 0 || length > 20) {
            return null;
        }
        int start = text.charAt(0) == '-' ? 1 : 0;
        if (start == length) {
            return null;
        }
        for (int i = start; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            long value = Long.parseLong(text);
            return Long.toString(value).equals(text) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** RFC 3339 UTC with the instant's own precision: {@code 2020-03-06T03:29:29.321142Z}. */
    static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
