package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static io.parley.protocol.events.Frames.CODEC;
import static io.parley.protocol.events.Frames.seed;
import static io.parley.protocol.events.Frames.tree;
import static io.parley.protocol.events.Frames.valid;
import static org.assertj.core.api.Assertions.assertThat;

/** Seed 002's literal examples, verbatim: requests decode, replies match the shapes shown. */
class SeedExamplesTest {

    // ---- requests -------------------------------------------------------------------------

    @Test
    void addConversation() {
        assertThat(valid(seed("AddConversation.request")).command())
                .isEqualTo(new Command.OpenSupportChat("1", 100));
    }

    @Test
    void getConversationList() {
        assertThat(valid(seed("GetConversationList.request")).command())
                .isEqualTo(new Command.ListChats("1"));
    }

    @Test
    void getMessageList() {
        assertThat(valid(seed("GetMessageList.request")).command())
                .isEqualTo(new Command.GetHistory("100", "1", null, Command.GetHistory.DEFAULT_LIMIT));
    }

    @Test
    void sendMessage() {
        assertThat(valid(seed("SendMessage.request")).command())
                .isEqualTo(new Command.SendMessage("10", "1", "Hey", ContentType.TEXT, null));
    }

    @Test
    void readMessage() {
        assertThat(valid(seed("ReadMessage.request")).command())
                .isEqualTo(new Command.MarkRead("10", "2", 11));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AddConversation", "GetConversationList", "GetMessageList", "SendMessage", "ReadMessage"})
    void seedRequestsDecodeTheSameWithObjectArgs(String example) throws Exception {
        String literal = seed(example + ".request");
        ObjectNode frame = (ObjectNode) tree(literal);
        assertThat(frame.get("args").isTextual()).as("the seed sends args as a string").isTrue();
        frame.set("args", tree(frame.get("args").textValue()));
        assertThat(frame.get("args").isObject()).isTrue();

        Request.Valid fromString = valid(literal);
        Request.Valid fromObject = valid(Frames.JSON.writeValueAsString(frame));

        assertThat(fromObject).isEqualTo(fromString);
        assertThat(fromObject.name()).isEqualTo("Event." + example);
        assertThat(fromObject.correlationId()).isNull();
    }

    // ---- replies --------------------------------------------------------------------------

    private static Instant at(String seedTimestamp) {
        return OffsetDateTime.parse(seedTimestamp).toInstant();
    }

    private static Chat supportChat(long number, long applicationId, String timestamp) {
        return new Chat(Long.toString(applicationId), number, ChatKind.SUPPORT, "1", applicationId, null,
                at(timestamp), at(timestamp));
    }

    private static Message message(long id, String chat, String content, String created, String updated) {
        return new Message(id, chat, id, "1", content, ContentType.TEXT, null, at(created), at(updated), false, false);
    }

    private static Request.Valid request(String name, Command command) {
        return new Request.Valid(name, null, command);
    }

    /**
     * The seed's literal response with its values kept and only our documented differences
     * applied: timestamps re-written in UTC ({@code Z}) with the same instant, plus the
     * extensions {@code kind} on conversations and {@code content_type} on messages.
     */
    private static JsonNode expected(String example) {
        JsonNode node = tree(seed(example));
        normalize(node);
        return node;
    }

    private static void normalize(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : List.of("create_at", "update_at")) {
                if (object.has(field)) {
                    object.put(field, DateTimeFormatter.ISO_INSTANT.format(at(object.get(field).textValue())));
                }
            }
            if (object.has("session_channel") && object.has("content")) {
                object.put("content_type", 1);
            } else if (object.has("session_channel") && object.has("application_id")) {
                object.put("kind", "support");
            }
        }
        for (JsonNode child : node) {
            normalize(child);
        }
    }

    @Test
    void addConversationReply() {
        Chat chat = supportChat(2, 100, "2020-03-05T18:11:50.6982843Z");
        byte[] out = CODEC.encodeReply(request("Event.AddConversation", new Command.OpenSupportChat("1", 100)),
                new Reply.ChatReply(chat));

        assertThat(tree(out)).isEqualTo(expected("AddConversation.response"));
    }

    @Test
    void getConversationListReply() {
        List<Chat> chats = List.of(
                supportChat(1, 1, "2020-03-04T16:11:20.751252-05:00"),
                supportChat(2, 100, "2020-03-05T13:11:50.698284-05:00"));
        byte[] out = CODEC.encodeReply(request("Event.GetConversationList", new Command.ListChats("1")),
                new Reply.ChatList(chats));

        assertThat(tree(out)).isEqualTo(expected("GetConversationList.response"));
    }

    @Test
    void getMessageListReply() {
        Message hello = message(1, "100", "Hello World",
                "2020-03-05T13:20:15.948653-05:00", "2020-03-05T13:20:15.948653-05:00");
        byte[] out = CODEC.encodeReply(request("Event.GetMessageList", new Command.GetHistory("100", "1", null, 50)),
                new Reply.HistoryPage(List.of(hello), Map.of()));

        JsonNode reply = tree(out);
        // Ours beside the seed's fields (clients ignore fields they do not know): whether a page follows.
        assertThat(((ObjectNode) reply.get("result")).remove("has_more").asBoolean()).isFalse();
        assertThat(reply).isEqualTo(expected("GetMessageList.response"));
        assertThat(reply.get("result").has("Messages")).as("capital M, as in the seed").isTrue();
    }

    @Test
    void sendMessageReply() {
        Message hey = message(10, "10", "Hey", "2020-03-06T03:29:29.321142339Z", "2020-03-06T03:29:29.321142998Z");
        byte[] out = CODEC.encodeReply(
                request("Event.SendMessage", new Command.SendMessage("10", "1", "Hey", ContentType.TEXT, null)),
                new Reply.MessageReply(hey));

        assertThat(tree(out)).isEqualTo(expected("SendMessage.response"));
        // Nanosecond instants keep their precision, exactly as the seed shows them.
        assertThat(tree(out).at("/result/message/create_at").textValue()).isEqualTo("2020-03-06T03:29:29.321142339Z");
    }

    @Test
    void receiveMessagePush() {
        Message hey = message(11, "10", "hey", "2020-03-06T03:41:13.944327781Z", "2020-03-06T03:41:13.944328092Z");
        byte[] out = CODEC.encodeEvent(new ChatEvent.MessagePosted(hey));

        assertThat(tree(out)).isEqualTo(expected("ReceiveMessage.push"));
    }

    @Test
    void readMessageReply() {
        byte[] out = CODEC.encodeReply(request("Event.ReadMessage", new Command.MarkRead("10", "2", 11)),
                new Reply.Done());

        assertThat(tree(out)).isEqualTo(tree(seed("ReadMessage.response")));
        assertThat(tree(out).get("result").isNull()).isTrue();
    }
}
