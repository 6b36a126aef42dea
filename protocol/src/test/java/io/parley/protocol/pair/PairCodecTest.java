package io.parley.protocol.pair;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.parley.protocol.CodecFrames.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Seed 000's literal ChatMessage and ErrorSchema examples. */
class PairCodecTest {
    private static final PairCodec CODEC = new PairCodec();
    /** The seed's example sessionId, standing for the token that authenticated the socket. */
    private static final String SESSION = "1234567890abcdef123";
    private static final SocketScope SCOPE = new SocketScope("abc123", SESSION);
    private static final String SEED_MESSAGE = """
            {
              "sessionId": "1234567890abcdef123",
              "message": "Вы заберете мою кошку на 2 дня?",
              "timestamp": "2024-11-18T14:25:00Z"
            }""";

    @Test
    void seedMessagePostsToTheSocketsChat() {
        Request.Valid r = valid(CODEC, SCOPE, SEED_MESSAGE);
        assertThat(r.command()).isInstanceOfSatisfying(Command.SendMessage.class, c -> {
            assertThat(c.chatId()).isEqualTo("abc123");
            assertThat(c.content()).isEqualTo("Вы заберете мою кошку на 2 дня?");
        });
        byte[] bytes = SEED_MESSAGE.getBytes(StandardCharsets.UTF_8);
        assertThat(PairCodec.helloSessionId(bytes, 0, bytes.length)).isEqualTo(SESSION);
        assertThat(PairCodec.carriesRequest(bytes, 0, bytes.length)).isTrue();
    }

    @Test
    void pureHelloAndSessionChecks() {
        assertThat(valid(CODEC, SCOPE, "{\"sessionId\":\"" + SESSION + "\"}").command()).isEqualTo(new Command.SetPresence(true));
        // Another sessionId is a fresh token for the connection to check, with what the frame asks.
        assertThat(valid(CODEC, SCOPE, "{\"sessionId\":\"fresh\",\"message\":\"hi\"}").command())
                .isInstanceOfSatisfying(Command.RefreshToken.class, r -> {
                    assertThat(r.token()).isEqualTo("fresh");
                    assertThat(r.then()).isInstanceOfSatisfying(Command.SendMessage.class,
                            c -> assertThat(c.content()).isEqualTo("hi"));
                });
        assertThat(valid(CODEC, SCOPE, "{\"sessionId\":\"fresh\"}").command()).isEqualTo(new Command.RefreshToken("fresh"));
        assertThat(valid(CODEC, SCOPE, "{\"sessionId\":\"fresh\",\"lastMessageId\":5}").command())
                .isInstanceOfSatisfying(Command.RefreshToken.class,
                        r -> assertThat(r.then()).isInstanceOf(Command.GetHistory.class));
        assertThat(invalid(CODEC, SocketScope.NONE, "{\"sessionId\":\"fresh\"}").error().code())
                .isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(invalid(CODEC, SCOPE, "{\"sessionId\":\"fresh\",\"message\":\" \"}").error().code())
                .as("a refresh carrying a bad message is refused whole").isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(invalid(CODEC, SCOPE, "{\"message\":\"hi\"}").error().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        byte[] none = "{\"message\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PairCodec.helloSessionId(none, 0, none.length))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
        assertThat(invalid(CODEC, SCOPE, "{\"sessionId\":\"" + SESSION + "\",\"message\":\"hi\",\"timestamp\":\"yesterday\"}")
                .error().getMessage()).contains("timestamp");
        assertThat(invalid(CODEC, SCOPE, "{\"sessionId\":\"" + SESSION + "\",\"message\":\"  \"}").error().code())
                .isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void deliveryNeverCarriesTheSessionId() {
        byte[] delivered = CODEC.encodeEvent(new ChatEvent.MessagePosted(message(77, "abc123", "1", "Возьму")));
        JsonNode frame = tree(delivered);
        assertThat(frame.path("message").asText()).isEqualTo("Возьму");
        assertThat(frame.path("timestamp").asText()).isEqualTo("2024-11-18T14:25:00.123456Z");
        assertThat(frame.path("senderId").asLong()).isEqualTo(1);
        assertThat(frame.path("messageId").asLong()).isEqualTo(77);
        assertThat(frame.has("sessionId")).isFalse();
        Request.Valid send = valid(CODEC, SCOPE, SEED_MESSAGE);
        JsonNode ack = tree(CODEC.encodeReply(send, new Reply.MessageReply(message(77, "abc123", "1", "Возьму"))));
        assertThat(ack).isEqualTo(frame);
        assertThat(CODEC.encodeEvent(new ChatEvent.Typing("abc123", "1", T0))).isNull();
        assertThat(CODEC.encodeEvent(new ChatEvent.MemberJoined(1, "abc123", "3", false, T0)))
                .as("no frame for membership changes").isNull();
        assertThat(CODEC.encodeEvent(new ChatEvent.MemberLeft(2, "abc123", "3", null, T0))).isNull();
    }

    @Test
    void errorsUseTheSeedErrorSchema() {
        // ErrorSchema example: {"code": 400, "message": "Неверный формат сообщения"}
        JsonNode error = tree(CODEC.encodeError(null, new ChatException(ErrorCode.BAD_REQUEST, "Неверный формат сообщения")));
        assertThat(error.path("code").asInt()).isEqualTo(400);
        assertThat(error.path("message").asText()).isEqualTo("Неверный формат сообщения");
        assertThat(error.size()).isEqualTo(2);
        assertThat(tree(CODEC.encodeReply(valid(CODEC, SCOPE, "{\"sessionId\":\"" + SESSION + "\"}"), new Reply.Done()))
                .path("code").asInt()).isEqualTo(200);
    }
}
