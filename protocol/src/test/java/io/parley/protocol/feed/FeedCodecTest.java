package io.parley.protocol.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.parley.protocol.CodecFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Seed 001's examples (updateMessage, heartbeatMessage) and the open-frame contract. */
class FeedCodecTest {
    private static final Instant NOW = Instant.ofEpochMilli(1619769673527L); // the seed's timestampms
    private static final FeedCodec CODEC = new FeedCodec(Clock.fixed(NOW, ZoneOffset.UTC));
    private static final SocketScope SCOPE = new SocketScope("c-1", null);

    @Test
    void seedHeartbeatShape() {
        // {"type": "heartbeat", "socket_sequence": 1656}
        JsonNode beat = tree(FeedCodec.complete(FeedCodec.heartbeat(), 1656));
        assertThat(beat).isEqualTo(tree("{\"type\":\"heartbeat\",\"socket_sequence\":1656}".getBytes()));
    }

    @Test
    void seedUpdateShapeForTheHistory() {
        // type update, timestamp 1619769673, timestampms 1619769673527, socket_sequence 661,
        // message: [{type: message, text: "Hello world", sender: "Support", send_date: ...}]
        Message m = new Message(42, "c-1", 1, "Support", "Hello world", message(1, "c", "s", "x").contentType(), null,
                Instant.ofEpochSecond(123456789), Instant.ofEpochSecond(123456789), false, false);
        byte[] open = CODEC.encodeReply(new Request.Valid("history", null, new Command.GetHistory("c-1", null, null, 50)),
                new Reply.HistoryPage(List.of(m), Map.of()));
        JsonNode update = tree(FeedCodec.complete(open, 661));
        assertThat(update.path("type").asText()).isEqualTo("update");
        assertThat(update.path("eventId").asLong()).isEqualTo(42);
        assertThat(update.path("timestamp").asLong()).isEqualTo(1619769673L);
        assertThat(update.path("timestampms").asLong()).isEqualTo(1619769673527L);
        assertThat(update.path("socket_sequence").asLong()).isEqualTo(661);
        assertThat(update.path("message")).hasSize(1);
        assertThat(update.at("/message/0")).isEqualTo(tree(
                "{\"type\":\"message\",\"text\":\"Hello world\",\"sender\":\"Support\",\"send_date\":123456789}".getBytes()));
    }

    @Test
    void framesAreOpenUntilTheSocketNumbersThem() {
        byte[] open = CODEC.encodeEvent(new ChatEvent.MessagePosted(message(9, "c-1", "2", "hi")));
        assertThat(new String(open)).endsWith(",\"socket_sequence\":");
        assertThat(tree(FeedCodec.complete(open, 0)).path("socket_sequence").asInt()).isZero();
        assertThat(tree(FeedCodec.complete(open, 12)).path("socket_sequence").asInt()).isEqualTo(12);
    }

    @Test
    void systemEventsAreChatEventItems() {
        JsonNode update = tree(FeedCodec.complete(CODEC.encodeEvent(new ChatEvent.MemberJoined(55, "c-1", "7", true, T0)), 3));
        assertThat(update.path("eventId").asLong()).isEqualTo(55);
        assertThat(update.at("/message/0/type").asText()).isEqualTo("chat_event");
        assertThat(update.at("/message/0/text").asText()).isEqualTo("support agent 7 joined the chat");
        assertThat(update.at("/message/0/sender").asText()).isEqualTo("system");
        JsonNode left = tree(FeedCodec.complete(CODEC.encodeEvent(new ChatEvent.MemberLeft(56, "c-1", "8", null, T0)), 4));
        assertThat(left.path("eventId").asLong()).isEqualTo(56);
        assertThat(left.at("/message/0/type").asText()).isEqualTo("chat_event");
        assertThat(left.at("/message/0/text").asText()).isEqualTo("user 8 left the chat");
        JsonNode removed = tree(FeedCodec.complete(CODEC.encodeEvent(new ChatEvent.MemberLeft(57, "c-1", "8", "system", T0)), 5));
        assertThat(removed.at("/message/0/text").asText()).isEqualTo("user 8 was removed from the chat");
        assertThat(CODEC.encodeEvent(new ChatEvent.Typing("c-1", "7", T0))).isNull();
    }

    @Test
    void clientUpdateAndItsErrors() {
        Request.Valid r = valid(CODEC, SCOPE, "{\"type\":\"update\",\"message\":[{\"type\":\"message\",\"text\":\"Hello world\"}]}");
        assertThat(r.command()).isInstanceOfSatisfying(Command.SendMessage.class, c -> {
            assertThat(c.chatId()).isEqualTo("c-1");
            assertThat(c.content()).isEqualTo("Hello world");
        });
        assertThat(invalid(CODEC, SCOPE, "{\"type\":\"heartbeat\"}").error().getMessage()).contains("type");
        assertThat(invalid(CODEC, SCOPE, "{\"type\":\"update\",\"message\":[]}").error().getMessage()).contains("exactly one");
        assertThat(invalid(CODEC, SCOPE, "{\"type\":\"update\",\"message\":[{\"type\":\"chat_event\",\"text\":\"x\"}]}")
                .error().getMessage()).contains("server only");
        JsonNode error = tree(FeedCodec.complete(CODEC.encodeError(null, new ChatException(ErrorCode.TOO_LARGE, "too long")), 4));
        assertThat(error).isEqualTo(tree("{\"type\":\"error\",\"code\":413,\"message\":\"too long\",\"socket_sequence\":4}".getBytes()));
    }
}
