package io.parley.protocol.events;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of the dialect: a tree reader hardened against absurd input and a
 * generator factory for output. Both are immutable and thread-safe.
 */
final class EventsJson {

    /** Deepest nesting of arrays/objects accepted in a frame (and in a string-encoded {@code args}). */
    static final int MAX_NESTING_DEPTH = 64;
    /** Longest number literal accepted; ids need 20 characters at most. */
    static final int MAX_NUMBER_LENGTH = 100;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            // Emoji and other non-BMP characters as 4 UTF-8 bytes, not as escaped surrogate pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private static final ObjectReader READER = new ObjectMapper(FACTORY).reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // Fractions are only ever echoed (a fractional client "id"); keep them exact.
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private EventsJson() {
    }

    /**
     * Parses one JSON document. Returns {@code null} for empty input.
     *
     * @throws IOException malformed JSON, duplicate keys, trailing data or a broken constraint
     */
    static JsonNode read(byte[] utf8, int offset, int length) throws IOException {
        JsonNode node = READER.readTree(utf8, offset, length);
        return node == null || node.isMissingNode() ? null : node;
    }

    /** As {@link #read(byte[], int, int)} for JSON held in a string (a string-encoded {@code args}). */
    static JsonNode read(String json) throws IOException {
        JsonNode node = READER.readTree(json);
        return node == null || node.isMissingNode() ? null : node;
    }

    /** Writes one frame with {@code body} and returns its UTF-8 bytes. */
    static byte[] write(FrameBody body) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            body.writeTo(gen);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    /** Writes the content of one frame. */
    @FunctionalInterface
    interface FrameBody {
        void writeTo(JsonGenerator gen) throws IOException;
    }
}
