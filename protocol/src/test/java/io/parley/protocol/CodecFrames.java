package io.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Test helpers shared by the dialect codec tests: decode text, read output as trees, sample objects. */
public final class CodecFrames {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Instant T0 = Instant.parse("2024-11-18T14:25:00.123456Z");

    private CodecFrames() {
    }

    public static Request decode(DialectCodec codec, SocketScope scope, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return codec.decode(scope, bytes, 0, bytes.length);
    }

    public static Request.Valid valid(DialectCodec codec, SocketScope scope, String text) {
        Request request = decode(codec, scope, text);
        assertThat(request).as("decode of %s", text).isInstanceOf(Request.Valid.class);
        return (Request.Valid) request;
    }

    public static Request.Invalid invalid(DialectCodec codec, SocketScope scope, String text) {
        Request request = decode(codec, scope, text);
        assertThat(request).as("decode of %s", text).isInstanceOf(Request.Invalid.class);
        return (Request.Invalid) request;
    }

    public static JsonNode tree(byte[] utf8) {
        try {
            return JSON.readTree(utf8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Message message(long id, String chatId, String sender, String content) {
        return new Message(id, chatId, 7, sender, content, ContentType.TEXT, null, T0, T0, false, false);
    }

    public static Chat chat(String id, ChatKind kind) {
        return new Chat(id, 3, kind, "1", null, "Team", T0, T0);
    }
}
