package io.parley.protocol.typed;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.SocketScope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UserPresence;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.parley.protocol.CodecFrames.*;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/** Seed 004's literal examples (placeholders filled with the seed's own example values) and our rules. */
class TypedCodecTest {
    private static final TypedCodec CODEC = new TypedCodec();
    private static final SocketScope NONE = SocketScope.NONE;

    @Test
    void seedSetOfflineWithEmptyContent() {
        Request.Valid r = valid(CODEC, NONE, """
                {
                	"type": "set_offline",
                	"content": {
                		
                	}
                }""");
        assertThat(r.command()).isEqualTo(new Command.SetPresence(false));
        assertThat(valid(CODEC, NONE, "{\"type\":\"set_online\",\"content\":{}}").command())
                .isEqualTo(new Command.SetPresence(true));
        assertThat(valid(CODEC, NONE, "{\"type\":\"set_online\"}").command()).isEqualTo(new Command.SetPresence(true));
    }

    @Test
    void seedNewMessage() {
        Request.Valid r = valid(CODEC, NONE, """
                {
                	"type": "new_message",
                	"content": {
                		"chat_type": "direct",
                		"chat_id": "1_2",
                		"message": "Привет",
                		"reply_to": null
                	}
                }""");
        assertThat(r.name()).isEqualTo("new_message");
        assertThat(r.command()).isInstanceOfSatisfying(Command.SendMessage.class, c -> {
            assertThat(c.chatId()).isEqualTo("1_2");
            assertThat(c.content()).isEqualTo("Привет");
            assertThat(c.replyTo()).isNull();
        });
    }

    @Test
    void aClientMessageIdIsAStringOfOneTo64Characters() {
        String frame = "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"1_2\","
                + "\"message\":\"x\",\"client_message_id\":%s}}";
        String longest = "k".repeat(64);
        assertThat(((Command.SendMessage) valid(CODEC, NONE, frame.formatted("\"" + longest + "\"")).command())
                .clientMessageId()).isEqualTo(longest);
        assertThat(((Command.SendMessage) valid(CODEC, NONE, frame.formatted("null")).command()).clientMessageId())
                .as("null counts as absent").isNull();
        for (String bad : new String[] {"\"\"", "\"" + longest + "k\"", "42", "\"\\ud800\""}) {
            Request.Invalid refused = invalid(CODEC, NONE, frame.formatted(bad));
            assertThat(refused.error().code()).as(bad).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(refused.error().getMessage()).as(bad).contains("client_message_id");
        }
    }

    @Test
    void directIdsAreOrderInsensitive() {
        Command.SendMessage c = (Command.SendMessage) valid(CODEC, NONE,
                "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"10_2\",\"message\":\"x\",\"reply_to\":5}}").command();
        assertThat(c.chatId()).isEqualTo("2_10");
        assertThat(c.replyTo()).isEqualTo(5L);
    }

    @Test
    void seedTypingLabelsAreAcceptedAsTheAlias() {
        // The seed labels typing, read and delete all "typing"; the enum is authoritative.
        Request.Valid typing = valid(CODEC, NONE, """
                {
                	"type": "typing",
                	"content": {
                		"chat_type": "direct",
                		"chat_id": "1_2"
                	}
                }""");
        assertThat(typing.command()).isEqualTo(new Command.Typing("1_2", null));
        assertThat(valid(CODEC, NONE, "{\"type\":\"user_typing\",\"content\":{\"chat_type\":\"project\",\"chat_id\":\"p-1\"}}").command())
                .isEqualTo(new Command.Typing("p-1", null));
    }

    @Test
    void readDeleteAndEdit() {
        assertThat(valid(CODEC, NONE, "{\"type\":\"message_read\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"2_1\",\"message_id\":42}}").command())
                .isEqualTo(new Command.MarkRead("1_2", null, 42));
        assertThat(valid(CODEC, NONE, "{\"type\":\"delete_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"1_2\",\"message_id\":42}}").command())
                .isEqualTo(new Command.DeleteMessage("1_2", null, 42));
        assertThat(valid(CODEC, NONE, "{\"type\":\"edit_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"1_2\",\"message_id\":42,\"message\":\"fixed\"}}").command())
                .isEqualTo(new Command.EditMessage("1_2", null, 42, "fixed"));
    }

    @Test
    void badInputNamesTheProblem() {
        assertThat(invalid(CODEC, NONE, "{nope").error().getMessage()).startsWith("malformed JSON");
        Request.Invalid unknown = invalid(CODEC, NONE, "{\"type\":\"shout\",\"content\":{}}");
        assertThat(unknown.error().getMessage()).contains("unknown type \"shout\"").contains("new_message").contains("typing");
        assertThat(invalid(CODEC, NONE, "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"abc\",\"message\":\"x\"}}")
                .error().getMessage()).contains("content.chat_id").contains("1_2");
        assertThat(invalid(CODEC, NONE, "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"group\",\"chat_id\":\"x\",\"message\":\"x\"}}")
                .error().getMessage()).contains("content.chat_type");
        assertThat(invalid(CODEC, NONE, "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"1_2\"}}")
                .error().getMessage()).isEqualTo("content.message: required, expected a string");
        Request.Invalid noContent = invalid(CODEC, NONE, "{\"type\":\"message_read\"}");
        assertThat(noContent.name()).isEqualTo("message_read");
        JsonNode error = tree(CODEC.encodeError(noContent, noContent.error()));
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.at("/content/code").asInt()).isEqualTo(400);
        assertThat(error.at("/content/request_type").asText()).isEqualTo("message_read");
        assertThat(error.at("/content/message").asText()).isEqualTo("content: required, expected an object");
    }

    @Test
    void newMessageBroadcastAddsServerFields() {
        Message m = message(99, "1_2", "1", "hi");
        JsonNode frame = tree(CODEC.encodeEvent(new ChatEvent.MessagePosted(m)));
        assertThat(frame.path("type").asText()).isEqualTo("new_message");
        JsonNode c = frame.path("content");
        assertThat(c.path("chat_type").asText()).isEqualTo("direct");
        assertThat(c.path("chat_id").asText()).isEqualTo("1_2");
        assertThat(c.path("message_id").asLong()).isEqualTo(99);
        assertThat(c.path("message").asText()).isEqualTo("hi");
        assertThat(c.path("sender_id").asLong()).isEqualTo(1);
        assertThat(c.has("reply_to") && c.path("reply_to").isNull()).isTrue();
        assertThat(c.path("created_at").asText()).isEqualTo("2024-11-18T14:25:00.123456Z");
        // The sender's acknowledgement is the same frame.
        Request.Valid send = valid(CODEC, NONE, "{\"type\":\"new_message\",\"content\":{\"chat_type\":\"direct\",\"chat_id\":\"1_2\",\"message\":\"hi\"}}");
        assertThat(tree(CODEC.encodeReply(send, new Reply.MessageReply(m)))).isEqualTo(frame);
        assertThat(CODEC.encodeReply(send, new Reply.Done())).isNull();
    }

    @Test
    void otherBroadcasts() {
        Message deleted = new Message(5, "p-1", 2, "u", "", message(5, "p-1", "u", "x").contentType(), null, T0, T0, true, false);
        JsonNode del = tree(CODEC.encodeEvent(new ChatEvent.MessageChanged(deleted)));
        assertThat(del.path("type").asText()).isEqualTo("delete_message");
        assertThat(del.at("/content/chat_type").asText()).isEqualTo("project");
        assertThat(del.at("/content/message_id").asLong()).isEqualTo(5);

        Message edited = new Message(5, "p-1", 2, "u", "new", deleted.contentType(), null, T0, T0, false, true);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessageChanged(edited))).path("type").asText()).isEqualTo("edit_message");

        JsonNode read = tree(CODEC.encodeEvent(new ChatEvent.MessageRead("1_2", "2", 5, 2)));
        assertThat(read.path("type").asText()).isEqualTo("message_read");
        assertThat(read.at("/content/user_id").asLong()).isEqualTo(2);

        JsonNode typing = tree(CODEC.encodeEvent(new ChatEvent.Typing("1_2", "2", T0)));
        assertThat(typing.path("type").asText()).isEqualTo("user_typing");

        JsonNode online = tree(CODEC.encodeEvent(new ChatEvent.PresenceChanged("7", true, T0)));
        assertThat(online.path("type").asText()).isEqualTo("user_online");
        assertThat(online.at("/content/user_id").asLong()).isEqualTo(7);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.PresenceChanged("7", false, T0))).path("type").asText())
                .isEqualTo("user_offline");
    }

    @Test
    void membershipChangesAreChatEventsOfTheirOwn() {
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberJoined(1, "p-1", "2", true, T0)))).isEqualTo(tree("""
                {"type": "member_joined", "content": {"chat_type": "project", "chat_id": "p-1", "user_id": 2}}""".getBytes(UTF_8)));
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(2, "p-1", "ann", null, T0)))).isEqualTo(tree("""
                {"type": "member_left", "content": {"chat_type": "project", "chat_id": "p-1", "user_id": "ann"}}""".getBytes(UTF_8)));
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(3, "p-1", "ann", "1", T0)))).isEqualTo(tree("""
                {"type": "member_left", "content": {"chat_type": "project", "chat_id": "p-1", "user_id": "ann",
                 "removed_by": 1}}""".getBytes(UTF_8)));
    }

    @Test
    void presenceAsksForContactsOrListedUsersAndIsAnsweredWithTheSameType() {
        assertThat(valid(CODEC, NONE, "{\"type\":\"presence\"}").command()).isEqualTo(Command.GetPresence.ofContacts());
        assertThat(valid(CODEC, NONE, "{\"type\":\"presence\",\"content\":{}}").command())
                .isEqualTo(Command.GetPresence.ofContacts());
        Request.Valid listed = valid(CODEC, NONE, "{\"type\":\"presence\",\"content\":{\"user_ids\":[2,\"ann\",2]}}");
        assertThat(listed.command()).isEqualTo(new Command.GetPresence(List.of("2", "ann")));

        Reply.PresenceSnapshot snapshot = new Reply.PresenceSnapshot(List.of(new UserPresence("2", true, null),
                new UserPresence("ann", false, T0), UserPresence.unknown("9")), false);
        JsonNode frame = tree(CODEC.encodeReply(listed, snapshot));
        assertThat(frame).isEqualTo(tree("""
                {"type": "presence", "content": {"users": [
                  {"user_id": 2, "online": true, "last_seen": null},
                  {"user_id": "ann", "online": false, "last_seen": "2024-11-18T14:25:00.123456Z"},
                  {"user_id": 9, "online": false, "last_seen": null}], "has_more": false}}""".getBytes(UTF_8)));
    }

    @Test
    void presenceWithBadIdsIsRefusedInTheDialectsErrorShape() {
        String tooMany = "[" + "1,".repeat(Command.GetPresence.MAX_USERS) + "1]";
        for (String ids : new String[] {"[]", "\"2\"", "[{}]", tooMany}) {
            Request.Invalid bad = invalid(CODEC, NONE, "{\"type\":\"presence\",\"content\":{\"user_ids\":" + ids + "}}");
            JsonNode error = tree(CODEC.encodeError(bad, bad.error()));
            assertThat(error.at("/content/code").asInt()).as(ids).isEqualTo(400);
            assertThat(error.at("/content/request_type").asText()).isEqualTo("presence");
            assertThat(error.at("/content/message").asText()).startsWith("content.user_ids");
        }
    }

    @Test
    void errorWithoutARequestType() {
        JsonNode error = tree(CODEC.encodeError(null, new ChatException(ErrorCode.FORBIDDEN, "no")));
        assertThat(error.at("/content/code").asInt()).isEqualTo(403);
        assertThat(error.at("/content").has("request_type")).isFalse();
    }
}
