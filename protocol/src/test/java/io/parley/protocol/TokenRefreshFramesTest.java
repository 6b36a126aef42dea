package io.parley.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.actions.ActionsCodec;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.events.EventsCodec;
import io.parley.protocol.feed.FeedCodec;
import io.parley.protocol.pair.PairCodec;
import io.parley.protocol.typed.TypedCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.parley.protocol.CodecFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The token refresh frame of every dialect: decoded to {@link Command.RefreshToken}, answered in the dialect's shape. */
class TokenRefreshFramesTest {
    private static final Instant EXPIRES = Instant.parse("2026-11-23T03:18:08Z");
    private static final Reply.TokenRefreshed REFRESHED = new Reply.TokenRefreshed(EXPIRES);
    private static final SocketScope CHAT = new SocketScope("chat-1", null);

    @Test
    void events() {
        EventsCodec codec = new EventsCodec();
        Request.Valid r = valid(codec, SocketScope.NONE, "{\"name\":\"Event.RefreshToken\",\"id\":7,\"args\":{\"token\":\"jwt\"}}");
        assertThat(r.command()).isEqualTo(new Command.RefreshToken("jwt"));
        JsonNode reply = tree(codec.encodeReply(r, REFRESHED));
        assertThat(reply.toString()).isEqualTo(
                "{\"name\":\"Event.RefreshToken\",\"id\":7,\"ok\":true,\"result\":{\"expires_at\":\"2026-11-23T03:18:08Z\"}}");
        // args as a string holding JSON, as every events request may
        assertThat(valid(codec, SocketScope.NONE, "{\"name\":\"Event.RefreshToken\",\"args\":\"{\\\"token\\\":\\\"jwt\\\"}\"}")
                .command()).isEqualTo(new Command.RefreshToken("jwt"));
        Request.Invalid missing = invalid(codec, SocketScope.NONE, "{\"name\":\"Event.RefreshToken\",\"args\":{}}");
        assertThat(missing.error().getMessage()).contains("args.token");
        JsonNode error = tree(codec.encodeError(r, new ChatException(ErrorCode.FORBIDDEN, "another user")));
        assertThat(error.path("name").asText()).isEqualTo("Event.RefreshToken");
        assertThat(error.at("/error/code").asInt()).isEqualTo(403);
    }

    @Test
    void typed() {
        TypedCodec codec = new TypedCodec();
        Request.Valid r = valid(codec, SocketScope.NONE, "{\"type\":\"refresh\",\"content\":{\"token\":\"jwt\"}}");
        assertThat(r.command()).isEqualTo(new Command.RefreshToken("jwt"));
        assertThat(tree(codec.encodeReply(r, REFRESHED)).toString())
                .isEqualTo("{\"type\":\"refresh\",\"content\":{\"expires_at\":\"2026-11-23T03:18:08Z\"}}");
        assertThat(invalid(codec, SocketScope.NONE, "{\"type\":\"refresh\",\"content\":{\"token\":\"\"}}")
                .error().getMessage()).contains("content.token");
        JsonNode error = tree(codec.encodeError(r, new ChatException(ErrorCode.UNAUTHORIZED, "expired")));
        assertThat(error.at("/content/request_type").asText()).isEqualTo("refresh");
        assertThat(error.at("/content/code").asInt()).isEqualTo(401);
    }

    @Test
    void actions() {
        ActionsCodec codec = new ActionsCodec();
        Request.Valid r = valid(codec, SocketScope.NONE, "{\"type\":\"refresh\",\"request_id\":\"r1\",\"token\":\"jwt\"}");
        assertThat(r.command()).isEqualTo(new Command.RefreshToken("jwt"));
        assertThat(tree(codec.encodeReply(r, REFRESHED)).toString()).isEqualTo(
                "{\"type\":\"refresh\",\"request_id\":\"r1\",\"ok\":true,\"data\":{\"expires_at\":\"2026-11-23T03:18:08Z\"}}");
        assertThat(valid(codec, SocketScope.NONE, "{\"type\":\"refresh\",\"data\":{\"token\":\"jwt\"}}").command())
                .isEqualTo(new Command.RefreshToken("jwt"));
        assertThat(invalid(codec, SocketScope.NONE, "{\"type\":\"refresh\"}").error().getMessage()).contains("token");
    }

    @Test
    void feed() {
        FeedCodec codec = new FeedCodec();
        Request.Valid r = valid(codec, CHAT, "{\"type\":\"refresh\",\"token\":\"jwt\"}");
        assertThat(r.command()).isEqualTo(new Command.RefreshToken("jwt"));
        assertThat(tree(FeedCodec.complete(codec.encodeReply(r, REFRESHED), 3)).toString())
                .isEqualTo("{\"type\":\"refresh\",\"expires_at\":" + EXPIRES.getEpochSecond() + ",\"socket_sequence\":3}");
        assertThat(invalid(codec, CHAT, "{\"type\":\"refresh\"}").error().getMessage()).contains("token");
        assertThat(invalid(codec, CHAT, "{\"type\":\"shout\"}").error().getMessage()).contains("\"refresh\"");
    }

    @Test
    void pair() {
        PairCodec codec = new PairCodec();
        SocketScope session = new SocketScope("chat-1", "old-jwt");
        Request.Valid r = valid(codec, session, "{\"sessionId\":\"new-jwt\"}");
        assertThat(r.command()).isEqualTo(new Command.RefreshToken("new-jwt"));
        assertThat(tree(codec.encodeReply(r, REFRESHED)).toString())
                .isEqualTo("{\"code\":200,\"message\":\"authenticated\",\"expires_at\":\"2026-11-23T03:18:08Z\"}");
        assertThat(valid(codec, session, "{\"sessionId\":\"old-jwt\"}").command())
                .as("the connection's own sessionId is no refresh").isEqualTo(new Command.SetPresence(true));
    }
}
