package io.parley.protocol.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The JSON configuration shared by the {@code events}, {@code typed}, {@code actions},
 * {@code pair} and {@code feed} codecs: a hardened tree reader (depth and number-length limits, duplicate keys and
 * trailing data refused) and a UTF-8 generator. Immutable and thread-safe.
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 100;
    private static final int MAX_PARSER_MESSAGE = 160;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private static final ObjectReader READER = new ObjectMapper(FACTORY).reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** Library internals in parser messages (sources, settings, classes), cut before showing them. */
    private static final Pattern[] INTERNALS = {
            Pattern.compile("\\s*\\([^()\\[]*\\[Source:.*?\\]\\)"),
            Pattern.compile(",\\s*from\\s*`[^`]*`"),
            Pattern.compile("\\s*\\(bound as `[^`]*`\\)"),
            Pattern.compile(":\\s*not allowed[^`]*`[^`]*`(\\s*enabled)?"),
            Pattern.compile("\\s*(for\\s*)?`[^`]*`"),
    };

    private Json() {
    }

    /**
     * Parses a frame that must be a JSON object.
     *
     * @throws ChatException 400 with a short, internals-free reason
     */
    public static JsonNode readObject(byte[] utf8, int offset, int length) {
        JsonNode node;
        try {
            node = READER.readTree(utf8, offset, length);
        } catch (IOException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "malformed JSON: " + parserMessage(e));
        }
        if (node == null || node.isMissingNode()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "malformed JSON: empty frame");
        }
        if (!node.isObject()) {
            throw new ChatException(ErrorCode.BAD_REQUEST,
                    "malformed JSON: a frame must be a JSON object, got " + describe(node));
        }
        return node;
    }

    /**
     * Parses JSON held in a string field (the {@code events} dialect's string-encoded
     * {@code args}), with the same limits as a frame.
     *
     * @return the value, or {@code null} when the string holds nothing
     * @throws ChatException 400 {@code <field>: malformed JSON in string: <reason>}
     */
    public static JsonNode readEmbedded(String field, String json) {
        JsonNode node;
        try {
            node = READER.readTree(json);
        } catch (IOException e) {
            throw new ChatException(ErrorCode.BAD_REQUEST, field + ": malformed JSON in string: " + parserMessage(e));
        }
        return node == null || node.isMissingNode() ? null : node;
    }

    /**
     * Per thread, the buffer frames are written into, reused: a frame then costs one exact-size
     * copy instead of a fresh buffer grown block by block (once the top allocation of the send path).
     */
    private static final ThreadLocal<FrameBuffer> FRAME_BUFFER = ThreadLocal.withInitial(FrameBuffer::new);

    /** Writes one frame and returns its UTF-8 bytes. */
    public static byte[] write(Body body) {
        FrameBuffer buffer = FRAME_BUFFER.get();
        if (buffer.busy) { // a frame written while another is being written on this thread
            return writeTo(new ByteArrayBuilder(256), body);
        }
        buffer.busy = true;
        try {
            return writeTo(buffer.bytes, body);
        } finally {
            buffer.bytes.reset(); // keeps its current block: at most Jackson's 128 KB block per thread
            buffer.busy = false;
        }
    }

    private static byte[] writeTo(ByteArrayBuilder out, Body body) {
        try (JsonGenerator gen = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            body.writeTo(gen);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static final class FrameBuffer {
        final ByteArrayBuilder bytes = new ByteArrayBuilder(4096);
        boolean busy;
    }

    /** Writes the content of one frame. */
    @FunctionalInterface
    public interface Body {
        void writeTo(JsonGenerator gen) throws IOException;
    }

    /** RFC 3339 UTC with the instant's own precision. */
    public static String timestamp(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /** An error's message, or a readable default from its code when it has none. */
    public static String messageOf(ChatException error) {
        String message = error.getMessage();
        return message == null || message.isBlank()
                ? error.code().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                : message;
    }

    /** A short description of a value sent instead of the expected one, never the value itself. */
    public static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a fraction";
            case STRING -> node.textValue().length() <= 32 ? "the string \"" + node.textValue() + "\"" : "a string";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** Cuts a client-supplied string for echoing in an error message. */
    public static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    private static String parserMessage(IOException e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (message == null || message.isBlank()) {
            return "invalid JSON";
        }
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        for (Pattern internal : INTERNALS) {
            message = internal.matcher(message).replaceAll("");
        }
        message = message.strip();
        return message.isEmpty() ? "invalid JSON" : abbreviate(message, MAX_PARSER_MESSAGE);
    }

    /**
     * Writes a user id as the seeds show ids: a JSON number when it is the canonical decimal form
     * of a 64-bit integer ({@code "1"} becomes {@code 1}; {@code "007"} stays a string), else a
     * string, so a client can send back exactly the id it got.
     */
    public static void writeId(JsonGenerator gen, String field, String id) throws IOException {
        Long numeric = canonicalLong(id);
        if (numeric != null) {
            gen.writeNumberField(field, numeric);
        } else {
            gen.writeStringField(field, id);
        }
    }

    private static Long canonicalLong(String text) {
        int length = text.length();
        if (length == 0 || length > 20) {
            return null;
        }
        for (int i = text.charAt(0) == '-' ? 1 : 0; i < length; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
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
}
