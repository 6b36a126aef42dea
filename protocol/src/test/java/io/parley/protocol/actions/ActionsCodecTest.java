package io.parley.protocol.actions;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.ChatKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.parley.protocol.CodecFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Seed 003 names the types (list_chats, create_chat, send_message, get_messages); these are their frames. */
class ActionsCodecTest {
    private static final ActionsCodec CODEC = new ActionsCodec();
    private static final SocketScope NONE = SocketScope.NONE;
    private static final String CHAT = "441f49e9-b6ba-4272-8f10-6b1e8dd8ecb8"; // the seed's example UUID

    @Test
    void everySeedTypeDecodes() {
        assertThat(valid(CODEC, NONE, "{\"type\":\"list_chats\"}").command()).isEqualTo(new Command.ListChats(null));
        Request.Valid create = valid(CODEC, NONE, "{\"type\":\"create_chat\",\"request_id\":\"r1\",\"members\":[\"u2\",\"u3\"],\"title\":\"Trip\"}");
        assertThat(create.correlationId()).isEqualTo("r1");
        assertThat(create.command()).isEqualTo(new Command.CreateChat(ChatKind.GROUP, Set.of("u2", "u3"), "Trip", null));
        assertThat(valid(CODEC, NONE, "{\"type\":\"get_messages\",\"chat_id\":\"" + CHAT + "\",\"before\":10,\"limit\":5}").command())
                .isEqualTo(new Command.GetHistory(CHAT, null, 10L, 5));
        Command.SendMessage send = (Command.SendMessage) valid(CODEC, NONE,
                "{\"type\":\"send_message\",\"data\":{\"chat_id\":\"" + CHAT.toUpperCase() + "\",\"text\":\"hi\"}}").command();
        assertThat(send.chatId()).isEqualTo(CHAT);
        assertThat(send.content()).isEqualTo("hi");
    }

    @Test
    void unknownTypeListsEverySupportedType() {
        Request.Invalid r = invalid(CODEC, NONE, "{\"type\":\"subscribe\",\"request_id\":7}");
        JsonNode error = tree(CODEC.encodeError(r, r.error()));
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("request_id").asInt()).isEqualTo(7);
        assertThat(error.path("ok").asBoolean()).isFalse();
        assertThat(error.at("/error/code").asInt()).isEqualTo(400);
        assertThat(error.at("/error/supported_types")).hasSize(ActionsCodec.CLIENT_TYPES.size());
        assertThat(error.at("/error/message").asText()).contains("unknown type \"subscribe\"").contains("list_chats");
        assertThat(tree(CODEC.encodeError(invalid(CODEC, NONE, "{}"), invalid(CODEC, NONE, "{}").error()))
                .at("/error/supported_types")).hasSize(ActionsCodec.CLIENT_TYPES.size());
    }

    @Test
    void chatIdMustBeAUuid() {
        Request.Invalid r = invalid(CODEC, NONE, "{\"type\":\"send_message\",\"chat_id\":\"123\",\"text\":\"hi\"}");
        assertThat(r.name()).isEqualTo("send_message");
        assertThat(r.error().getMessage()).contains("chat_id: expected a UUID").contains("list_chats");
        JsonNode error = tree(CODEC.encodeError(r, r.error()));
        assertThat(error.path("type").asText()).isEqualTo("send_message");
        assertThat(error.at("/error").has("supported_types")).isFalse();
    }

    @Test
    void repliesCarryTypeAndRequestId() {
        Request.Valid list = valid(CODEC, NONE, "{\"type\":\"list_chats\",\"request_id\":\"a\"}");
        JsonNode reply = tree(CODEC.encodeReply(list, new Reply.ChatList(List.of(chat(CHAT, ChatKind.GROUP), chat("1_2", ChatKind.DIRECT)))));
        assertThat(reply.path("type").asText()).isEqualTo("list_chats");
        assertThat(reply.path("request_id").asText()).isEqualTo("a");
        assertThat(reply.path("ok").asBoolean()).isTrue();
        assertThat(reply.at("/data/chats")).hasSize(1); // only chats this dialect can address
        assertThat(reply.at("/data/chats/0/id").asText()).isEqualTo(CHAT);

        Request.Valid get = valid(CODEC, NONE, "{\"type\":\"get_messages\",\"chat_id\":\"" + CHAT + "\"}");
        JsonNode page = tree(CODEC.encodeReply(get, new Reply.HistoryPage(List.of(message(5, CHAT, "u1", "hello")), Map.of())));
        assertThat(page.at("/data/messages/0/text").asText()).isEqualTo("hello");
        assertThat(page.at("/data/messages/0/sender_id").asText()).isEqualTo("u1");
    }

    @Test
    void pushes() {
        JsonNode push = tree(CODEC.encodeEvent(new ChatEvent.MessagePosted(message(5, CHAT, "u1", "hello"))));
        assertThat(push.path("type").asText()).isEqualTo("new_message");
        assertThat(push.at("/data/message/id").asLong()).isEqualTo(5);
        assertThat(push.at("/data/message/chat_id").asText()).isEqualTo(CHAT);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessageRead(CHAT, "u2", 5, 7))).path("type").asText()).isEqualTo("message_read");
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.Typing(CHAT, "u2", T0))).path("type").asText()).isEqualTo("user_typing");
        assertThat(CODEC.encodeEvent(new ChatEvent.MessagePosted(message(5, "1_2", "u1", "x")))).isNull();
    }

    @Test
    void membershipChangesArePushesOfTheirOwn() {
        JsonNode joined = tree(CODEC.encodeEvent(new ChatEvent.MemberJoined(1, CHAT, "7", false, T0)));
        assertThat(joined.toString()).isEqualTo("{\"type\":\"member_joined\",\"data\":{\"chat_id\":\"" + CHAT
                + "\",\"user_id\":\"7\"}}");
        JsonNode left = tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(2, CHAT, "7", null, T0)));
        assertThat(left.toString()).isEqualTo("{\"type\":\"member_left\",\"data\":{\"chat_id\":\"" + CHAT
                + "\",\"user_id\":\"7\"}}");
        JsonNode removed = tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(3, CHAT, "7", "system", T0)));
        assertThat(removed.toString()).isEqualTo("{\"type\":\"member_left\",\"data\":{\"chat_id\":\"" + CHAT
                + "\",\"user_id\":\"7\",\"removed_by\":\"system\"}}");
        assertThat(CODEC.encodeEvent(new ChatEvent.MemberJoined(3, "100", "7", true, T0)))
                .as("a support chat: not addressable in this dialect").isNull();
    }
}
