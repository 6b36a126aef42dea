package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.model.ContentType;

import java.util.Map;

/**
 * Typed access to one frame's {@code args} object. Every failure is a {@link ChatException}
 * {@link ErrorCode#BAD_REQUEST} naming the field and the expected type, e.g.
 * {@code args.application_id: expected an integer}. A field present as JSON {@code null} counts
 * as absent. Unknown fields are ignored.
 */
final class ArgsReader {

    private static final String ID_TYPE = "an integer or a string";
    private static final String CHAT_ID_TYPE = "a string or an integer";

    private final ObjectNode args;

    ArgsReader(ObjectNode args) {
        this.args = args;
    }

    /**
     * A user id ({@code user_id}, {@code sender_id}, {@code executor_id}): an integer or a
     * non-blank string, returned as a string ({@code 1} and {@code "1"} are the same id).
     */
    String userId(String field) {
        return idString(field, require(field, ID_TYPE), ID_TYPE);
    }

    /** A chat id ({@code session_channel}): a non-blank string or an integer, as a string. */
    String chatId(String field) {
        return idString(field, require(field, CHAT_ID_TYPE), CHAT_ID_TYPE);
    }

    /** A required positive 64-bit integer, given as a JSON integer or a decimal string. */
    long requiredId(String field) {
        return positive(field, longValue(field, require(field, "an integer")));
    }

    /** As {@link #requiredId(String)}, but the key is matched case-insensitively (seed's {@code messagE_id}). */
    long requiredIdIgnoreCase(String field) {
        JsonNode node = args.get(field);
        if (node == null || node.isNull()) {
            node = findIgnoreCase(field);
        }
        if (node == null || node.isNull()) {
            throw missing(field, "an integer");
        }
        return positive(field, longValue(field, node));
    }

    /** An optional positive 64-bit integer, or {@code null} when absent. */
    Long optionalId(String field) {
        JsonNode node = optional(field);
        return node == null ? null : positive(field, longValue(field, node));
    }

    /** An optional integer within {@code min..max}, or {@code fallback} when absent. */
    int optionalInt(String field, int min, int max, int fallback) {
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

    /** Required text that must not be empty or blank; returned as sent (not trimmed). */
    String requiredText(String field) {
        JsonNode node = require(field, "a string");
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        String text = node.textValue();
        if (text.isBlank()) {
            throw bad(field + ": must not be empty");
        }
        if (hasUnpairedSurrogate(text)) {
            throw bad(field + ": invalid Unicode (an unpaired surrogate)");
        }
        return text;
    }

    /**
     * Seed 002 {@code content_type}: 2 (or {@code "2"}) is an image; anything else, including a
     * missing or malformed value, is text, as the seed specifies.
     */
    ContentType contentType(String field) {
        JsonNode node = optional(field);
        if (node == null) {
            return ContentType.TEXT;
        }
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return ContentType.fromCode(node.intValue());
        }
        if (node.isTextual() && node.textValue().strip().equals("2")) {
            return ContentType.IMAGE;
        }
        return ContentType.TEXT;
    }

    private JsonNode require(String field, String expected) {
        JsonNode node = args.get(field);
        if (node == null || node.isNull()) {
            throw missing(field, expected);
        }
        return node;
    }

    private JsonNode optional(String field) {
        JsonNode node = args.get(field);
        return node == null || node.isNull() ? null : node;
    }

    private JsonNode findIgnoreCase(String field) {
        for (Map.Entry<String, JsonNode> entry : args.properties()) {
            if (entry.getKey().equalsIgnoreCase(field)) {
                return entry.getValue();
            }
        }
        return null;
    }

    private static String idString(String field, JsonNode node, String expected) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (text.isBlank()) {
                throw bad(field + ": must not be empty");
            }
            return text;
        }
        throw wrongType(field, expected, node);
    }

    /** JSON may escape half of a surrogate pair; such text cannot be stored or shown faithfully. */
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

    private static long longValue(String field, JsonNode node) {
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

    private static long positive(String field, long value) {
        if (value <= 0) {
            throw bad(field + ": must be a positive integer, got " + value);
        }
        return value;
    }

    private static ChatException missing(String field, String expected) {
        return bad(field + ": required, expected " + expected);
    }

    private static ChatException wrongType(String field, String expected, JsonNode got) {
        return bad(field + ": expected " + expected + ", got " + describe(got));
    }

    private static ChatException bad(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, "args." + message);
    }

    /** A short description of what was sent instead, never the (possibly huge) value itself. */
    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a fraction";
            case STRING -> node.textValue().length() <= 32
                    ? "the string \"" + node.textValue() + "\""
                    : "a string";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
