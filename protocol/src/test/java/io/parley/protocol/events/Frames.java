package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.protocol.Request;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers: decode text, read output as trees, load the seed's literal examples. */
final class Frames {

    static final EventsCodec CODEC = new EventsCodec();
    static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {
    }

    static Request decode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return CODEC.decode(bytes, 0, bytes.length);
    }

    static Request.Valid valid(String text) {
        Request request = decode(text);
        assertThat(request).as("decode of %s", text).isInstanceOf(Request.Valid.class);
        return (Request.Valid) request;
    }

    static Request.Invalid invalid(String text) {
        Request request = decode(text);
        assertThat(request).as("decode of %s", text).isInstanceOf(Request.Invalid.class);
        return (Request.Invalid) request;
    }

    static JsonNode tree(byte[] utf8) {
        try {
            return JSON.readTree(utf8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A literal example copied verbatim from seed 002, e.g. {@code "AddConversation.request"}. */
    static String seed(String example) {
        String path = "/events/seed002/" + example + ".json";
        try (InputStream in = Frames.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
