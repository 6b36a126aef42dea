package io.parley.protocol.json;

import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.NewMessage;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.model.ContentType;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Typed access to one JSON object of a client frame. Every failure is a 400 naming the field by
 * its path ({@code content.chat_id: required, expected a string}). A field sent as JSON
 * {@code null} counts as absent; unknown fields are ignored.
 */
public final class Fields {
    /** Longest id accepted (user, chat); real ids are far shorter. */
    public static final int MAX_ID_LENGTH = 128;
    private static final String ID_TYPE = "a string or an integer";

    private final JsonNode object;
    private final String path;
    private final int maxIdLength;

    /** @param path prefix for field names in messages, e.g. {@code "content."}, or {@code ""} */
    public Fields(JsonNode object, String path) {
        this(object, path, MAX_ID_LENGTH);
    }

    /** As {@link #Fields(JsonNode, String)}, with ids of up to {@code maxIdLength} characters. */
    public Fields(JsonNode object, String path, int maxIdLength) {
        this.object = object;
        this.path = path;
        this.maxIdLength = maxIdLength;
    }

    /** The object of {@code field}, required. */
    public Fields object(String field) {
        JsonNode node = require(field, "an object");
        if (!node.isObject()) {
            throw wrongType(field, "an object", node);
        }
        return new Fields(node, path + field + ".", maxIdLength);
    }

    /** The object of {@code field}, or an empty one when absent. */
    public Fields optionalObject(String field) {
        JsonNode node = optional(field);
        if (node == null) {
            return new Fields(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), path + field + ".",
                    maxIdLength);
        }
        if (!node.isObject()) {
            throw wrongType(field, "an object", node);
        }
        return new Fields(node, path + field + ".", maxIdLength);
    }

    public boolean has(String field) {
        return optional(field) != null;
    }

    /** A required id (user or chat): a non-blank string or an integer, as a string. */
    public String id(String field) {
        return id(field, ID_TYPE);
    }

    /** As {@link #id(String)}, naming the accepted types as {@code expected} in messages. */
    public String id(String field, String expected) {
        return idOf(field, require(field, expected), expected);
    }

    /** An optional id, or {@code null}. */
    public String optionalId(String field) {
        JsonNode node = optional(field);
        return node == null ? null : idOf(field, node, ID_TYPE);
    }

    /** A required string, may be blank. */
    public String string(String field) {
        JsonNode node = require(field, "a string");
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return node.textValue();
    }

    /** An optional string, or {@code null}. */
    public String optionalString(String field) {
        JsonNode node = optional(field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return node.textValue();
    }

    /**
     * The optional {@code client_message_id} (the same name in every dialect): a string of 1 to
     * 64 characters, or {@code null}.
     */
    public String optionalClientMessageId() {
        String field = "client_message_id";
        String id = optionalString(field);
        if (id != null && (id.isEmpty() || id.length() > NewMessage.MAX_CLIENT_MESSAGE_ID_LENGTH
                || hasUnpairedSurrogate(id))) {
            throw bad(field + ": expected a string of 1 to " + NewMessage.MAX_CLIENT_MESSAGE_ID_LENGTH + " characters");
        }
        return id;
    }

    /** The optional id of a file uploaded to the chat, or {@code null}. */
    public String optionalAttachmentId(String field) {
        String id = optionalString(field);
        if (id != null && !Attachment.validId(id)) {
            throw bad(field + ": expected the id of an uploaded attachment (the \"id\" its upload answered)");
        }
        return id;
    }

    /**
     * Message text, required unless the message carries an attachment: then it is a caption,
     * possibly absent or empty ({@code ""}).
     */
    public String caption(String field, boolean withAttachment) {
        if (!withAttachment) {
            return text(field);
        }
        String text = optionalString(field);
        if (text != null && hasUnpairedSurrogate(text)) {
            throw bad(field + ": invalid Unicode (an unpaired surrogate)");
        }
        return text == null ? "" : text;
    }

    /** Required message text: not blank, valid Unicode; returned as sent. */
    public String text(String field) {
        String text = string(field);
        if (text.isBlank()) {
            throw bad(field + ": must not be empty");
        }
        if (hasUnpairedSurrogate(text)) {
            throw bad(field + ": invalid Unicode (an unpaired surrogate)");
        }
        return text;
    }

    /** A required positive 64-bit integer (a JSON integer or a decimal string). */
    public long positiveLong(String field) {
        return positive(field, longValue(field, require(field, "an integer")));
    }

    /**
     * As {@link #positiveLong(String)}, but when {@code field} is absent the first key equal to
     * it ignoring case is read (seed 002 spells {@code message_id} as {@code messagE_id}).
     */
    public long positiveLongIgnoreCase(String field) {
        JsonNode node = optional(field);
        if (node == null) {
            node = ignoringCase(field);
        }
        if (node == null || node.isNull()) {
            throw bad(field + ": required, expected an integer");
        }
        return positive(field, longValue(field, node));
    }

    /** An optional positive 64-bit integer, or {@code null}. */
    public Long optionalPositiveLong(String field) {
        JsonNode node = optional(field);
        return node == null ? null : positive(field, longValue(field, node));
    }

    /** An optional integer within {@code min..max}, or {@code fallback}. */
    public int optionalInt(String field, int min, int max, int fallback) {
        JsonNode node = optional(field);
        if (node == null) {
            return fallback;
        }
        long value = longValue(field, node);
        if (value < min || value > max) {
            throw bad(field + ": must be between " + min + " and " + max + ", got " + value);
        }
        return (int) value;
    }

    /** A required non-empty array of ids, at most {@code max}, duplicates merged. */
    public Set<String> ids(String field, int max) {
        JsonNode node = require(field, "an array of ids");
        if (!node.isArray()) {
            throw wrongType(field, "an array of ids", node);
        }
        if (node.isEmpty() || node.size() > max) {
            throw bad(field + ": must hold 1 to " + max + " ids, got " + node.size());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            ids.add(idOf(field + "[" + i + "]", node.get(i), ID_TYPE));
        }
        return ids;
    }

    /** {@code content_type}: 2 is an image URL, anything else (or absent) text. */
    public ContentType contentType(String field) {
        JsonNode node = optional(field);
        if (node != null && ((node.isIntegralNumber() && node.asInt() == 2) || "2".equals(node.asText()))) {
            return ContentType.IMAGE;
        }
        return ContentType.TEXT;
    }

    public JsonNode raw(String field) {
        return optional(field);
    }

    private JsonNode require(String field, String expected) {
        JsonNode node = optional(field);
        if (node == null) {
            throw bad(field + ": required, expected " + expected);
        }
        return node;
    }

    private JsonNode optional(String field) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? null : node;
    }

    private JsonNode ignoringCase(String field) {
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            if (entry.getKey().equalsIgnoreCase(field)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private String idOf(String field, JsonNode node, String expected) {
        String id;
        if (node.isIntegralNumber()) {
            id = node.bigIntegerValue().toString();
        } else if (node.isTextual()) {
            id = node.textValue();
        } else {
            throw wrongType(field, expected, node);
        }
        if (id.isBlank()) {
            throw bad(field + ": must not be empty");
        }
        if (id.length() > maxIdLength) {
            throw bad(field + ": longer than " + maxIdLength + " characters");
        }
        return id;
    }

    private long longValue(String field, JsonNode node) {
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw bad(field + ": out of range for a 64-bit integer");
            }
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.textValue());
            } catch (NumberFormatException e) {
                throw wrongType(field, "an integer", node);
            }
        }
        throw wrongType(field, "an integer", node);
    }

    private long positive(String field, long value) {
        if (value <= 0) {
            throw bad(field + ": must be a positive integer, got " + value);
        }
        return value;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private ChatException wrongType(String field, String expected, JsonNode got) {
        return bad(field + ": expected " + expected + ", got " + Json.describe(got));
    }

    private ChatException bad(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, path + message);
    }
}
