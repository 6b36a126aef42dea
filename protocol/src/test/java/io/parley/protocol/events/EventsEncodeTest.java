package io.parley.protocol.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UnreadCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.parley.protocol.events.Frames.CODEC;
import static io.parley.protocol.events.Frames.tree;
import static io.parley.protocol.events.Frames.valid;
import static org.assertj.core.api.Assertions.assertThat;

/** Reply, error and push frames beyond the seed's literal examples. */
class EventsEncodeTest {

    private static final Instant T = Instant.parse("2020-03-06T03:29:29.321142Z");
    private static final Command LIST = new Command.ListChats("1");

    private static Message message(long id, long seq, String sender) {
        return new Message(id, "10", seq, sender, "hi", ContentType.TEXT, null, T, T, false, false);
    }

    private static JsonNode reply(Object id, Reply reply) {
        return tree(CODEC.encodeReply(new Request.Valid("Event.X", id, LIST), reply));
    }

    @Test
    void conversationExtensionsAndOptionalApplicationId() {
        Chat direct = new Chat("1_2", 5, ChatKind.DIRECT, "1", null, "Alice & Bob", T, T.plusSeconds(1));
        JsonNode out = reply(null, new Reply.ChatReply(direct)).get("result");

        assertThat(out).isEqualTo(tree("""
                {"id":5,"session_channel":"1_2","create_at":"2020-03-06T03:29:29.321142Z",
                 "update_at":"2020-03-06T03:29:30.321142Z","kind":"direct","title":"Alice & Bob"}"""));
    }

    @Test
    void messageExtensions() {
        Message image = new Message(12, "10", 3, "7", "https://img.example/a.png", ContentType.IMAGE, 11L,
                T, T.plusMillis(5), false, true);
        Message deleted = new Message(13, "10", 4, "7", "", ContentType.TEXT, null, T, T, true, false);
        JsonNode out = reply(null, new Reply.HistoryPage(List.of(image, deleted), Map.of()));

        assertThat(out.at("/result/Messages")).isEqualTo(tree("""
                [{"id":12,"session_channel":"10","content":"https://img.example/a.png","sender_id":7,"status":0,
                  "create_at":"2020-03-06T03:29:29.321142Z","update_at":"2020-03-06T03:29:29.326142Z",
                  "content_type":2,"reply_to":11,"edited":true},
                 {"id":13,"session_channel":"10","content":"","sender_id":7,"status":0,
                  "create_at":"2020-03-06T03:29:29.321142Z","update_at":"2020-03-06T03:29:29.321142Z",
                  "content_type":1,"deleted":true}]"""));
    }

    @Test
    void historyStatusComesFromOtherMembersCursors() {
        Message read = message(1, 1, "1");
        Message unread = message(2, 2, "1");
        Message ownCursorOnly = message(3, 3, "2");
        Map<String, Long> cursors = Map.of("2", 2L, "1", 1L);
        JsonNode messages = reply(null, new Reply.HistoryPage(List.of(read, unread, ownCursorOnly), cursors))
                .at("/result/Messages");

        assertThat(messages.findValuesAsText("id")).containsExactly("1", "2", "3");
        assertThat(messages.findValues("status")).extracting(JsonNode::intValue).containsExactly(1, 1, 0);
    }

    @Test
    void emptyLists() {
        assertThat(reply(null, new Reply.ChatList(List.of())).get("result"))
                .isEqualTo(tree("{\"conversations\":[]}"));
        assertThat(reply(null, new Reply.HistoryPage(List.of(), Map.of())).get("result"))
                .isEqualTo(tree("{\"Messages\":[],\"has_more\":false}"));
    }

    @Test
    void unreadSummary() {
        JsonNode out = reply(null, new Reply.UnreadSummary(List.of(new UnreadCount("100", 3), new UnreadCount("1_2", 4))));
        assertThat(out.get("result")).isEqualTo(tree("""
                {"total":7,"conversations":[{"session_channel":"100","unread":3},{"session_channel":"1_2","unread":4}]}"""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1                    | 1",
            "-5                   | -5",
            "9223372036854775807  | 9223372036854775807",
            "9223372036854775808  | \"9223372036854775808\"",
            "007                  | \"007\"",
            "+1                   | \"+1\"",
            "-0                   | \"-0\"",
            "-                    | \"-\"",
            "1.0                  | \"1.0\"",
            "4b5c1f2e-0c1d-4e6b-9d3a-2f0e8a7b6c5d | \"4b5c1f2e-0c1d-4e6b-9d3a-2f0e8a7b6c5d\"",
    })
    void userIdsAreNumbersOnlyWhenTheyRoundTrip(String senderId, String expectedJson) {
        JsonNode out = reply(null, new Reply.MessageReply(message(1, 1, senderId)));
        assertThat(out.at("/result/message/sender_id")).isEqualTo(tree(expectedJson));

        JsonNode read = tree(CODEC.encodeEvent(new ChatEvent.MessageRead("10", senderId, 11, 4)));
        assertThat(read.at("/result/reader_id")).isEqualTo(tree(expectedJson));
    }

    @ParameterizedTest
    @CsvSource({
            "2020-03-06T03:29:29Z, 2020-03-06T03:29:29Z",
            "2020-03-06T03:29:29.321Z, 2020-03-06T03:29:29.321Z",
            "2020-03-06T03:29:29.321100Z, 2020-03-06T03:29:29.321100Z",
            "2020-03-06T03:29:29.321142339Z, 2020-03-06T03:29:29.321142339Z",
    })
    void timestampsKeepTheInstantsPrecision(String instant, String expected) {
        Instant at = Instant.parse(instant);
        Message m = new Message(1, "10", 1, "1", "x", ContentType.TEXT, null, at, at, false, false);
        JsonNode out = reply(null, new Reply.MessageReply(m));
        assertThat(out.at("/result/message/create_at").textValue()).isEqualTo(expected);
    }

    @Test
    void doneIsNullResult() {
        assertThat(reply(null, new Reply.Done())).isEqualTo(tree("{\"name\":\"Event.X\",\"ok\":true,\"result\":null}"));
    }

    @Test
    void clientIdIsEchoedInReplies() {
        assertThat(reply("abc", new Reply.Done()).get("id")).isEqualTo(tree("\"abc\""));
        assertThat(reply(42, new Reply.Done()).get("id")).isEqualTo(tree("42"));
        assertThat(reply(42L, new Reply.Done()).get("id")).isEqualTo(tree("42"));
        assertThat(reply(new BigDecimal("1.5"), new Reply.Done()).get("id").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(reply(null, new Reply.Done()).has("id")).isFalse();
    }

    @Test
    void decodedIdRoundTripsIntoTheReply() {
        for (String id : new String[]{"\"r-1\"", "7", "12345678901234567890", "0.25"}) {
            Request.Valid request = valid("{\"name\":\"Event.ReadMessage\",\"id\":" + id
                    + ",\"args\":{\"session_channel\":\"10\",\"executor_id\":2,\"message_id\":11}}");
            JsonNode out = tree(CODEC.encodeReply(request, new Reply.Done()));
            assertThat(out).isEqualTo(tree("{\"name\":\"Event.ReadMessage\",\"id\":" + id + ",\"ok\":true,\"result\":null}"));
        }
    }

    // ---- errors ---------------------------------------------------------------------------

    @Test
    void errorEchoesNameAndId() {
        Request.Invalid request = Frames.invalid("{\"name\":\"Event.SendMessage\",\"id\":\"m-9\","
                + "\"args\":{\"session_channel\":\"10\",\"sender_id\":1,\"content\":\"\"}}");
        JsonNode out = tree(CODEC.encodeError(request, request.error()));

        assertThat(out).isEqualTo(tree("""
                {"name":"Event.SendMessage","id":"m-9","ok":false,
                 "error":{"code":400,"message":"args.content: must not be empty"}}"""));
    }

    @Test
    void errorForUnreadableOrUnknownNameIsEventError() {
        Request.Invalid unknown = Frames.invalid("{\"name\":\"Event.Nope\",\"id\":3,\"args\":{}}");
        JsonNode out = tree(CODEC.encodeError(unknown, unknown.error()));
        assertThat(out.get("name").textValue()).isEqualTo("Event.Error");
        assertThat(out.get("id").intValue()).isEqualTo(3);
        assertThat(out.get("ok").booleanValue()).isFalse();
        assertThat(out.at("/error/code").intValue()).isEqualTo(400);
        assertThat(out.at("/error/message").textValue()).startsWith("unknown name");

        Request.Invalid garbage = Frames.invalid("not json");
        assertThat(tree(CODEC.encodeError(garbage, garbage.error())))
                .isEqualTo(tree("{\"name\":\"Event.Error\",\"ok\":false,\"error\":{\"code\":400,"
                        + "\"message\":\"" + garbage.error().getMessage().replace("\"", "\\\"") + "\"}}"));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void errorsFromTheCoreKeepTheRequestsName(ErrorCode code) {
        Request.Valid request = valid("{\"name\":\"Event.GetMessageList\",\"id\":1,"
                + "\"args\":{\"session_channel\":\"100\",\"executor_id\":1}}");
        JsonNode out = tree(CODEC.encodeError(request, new ChatException(code, "nope")));
        assertThat(out).isEqualTo(tree("{\"name\":\"Event.GetMessageList\",\"id\":1,\"ok\":false,"
                + "\"error\":{\"code\":" + code.status() + ",\"message\":\"nope\"}}"));
    }

    @Test
    void errorWithoutMessageOrRequestStillHasTheShape() {
        JsonNode out = tree(CODEC.encodeError(null, new ChatException(ErrorCode.RATE_LIMITED, null)));
        assertThat(out).isEqualTo(tree("""
                {"name":"Event.Error","ok":false,"error":{"code":429,"message":"rate limited"}}"""));
    }

    // ---- pushes ---------------------------------------------------------------------------

    @Test
    void messageChangedPush() {
        Message edited = new Message(11, "10", 2, "1", "fixed", ContentType.TEXT, null, T, T.plusSeconds(60), false, true);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessageChanged(edited)))).isEqualTo(tree("""
                {"name":"Event.MessageChanged","ok":true,"result":{"message":{"id":11,"session_channel":"10",
                 "content":"fixed","sender_id":1,"status":0,"create_at":"2020-03-06T03:29:29.321142Z",
                 "update_at":"2020-03-06T03:30:29.321142Z","content_type":1,"edited":true}}}"""));
    }

    @Test
    void messageStatusPush() {
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessageRead("10", "2", 11, 4)))).isEqualTo(tree("""
                {"name":"Event.MessageStatus","ok":true,
                 "result":{"session_channel":"10","message_id":11,"reader_id":2,"status":1}}"""));
    }

    @Test
    void memberChangedPushSaysWhoAndWhichWayStaffOnlyWhenStaffAndWhoRemoved() {
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberJoined(55, "100", "2", true, T)))).isEqualTo(tree("""
                {"name":"Event.MemberChanged","ok":true,
                 "result":{"session_channel":"100","user_id":2,"change":"joined","staff":true}}"""));
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberJoined(56, "g-1", "ann", false, T)))).isEqualTo(tree("""
                {"name":"Event.MemberChanged","ok":true,
                 "result":{"session_channel":"g-1","user_id":"ann","change":"joined"}}"""));
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(57, "g-1", "ann", null, T)))).isEqualTo(tree("""
                {"name":"Event.MemberChanged","ok":true,
                 "result":{"session_channel":"g-1","user_id":"ann","change":"left"}}"""));
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MemberLeft(58, "g-1", "ann", "3", T)))).isEqualTo(tree("""
                {"name":"Event.MemberChanged","ok":true,
                 "result":{"session_channel":"g-1","user_id":"ann","change":"left","removed_by":3}}"""));
    }

    @Test
    void outputIsCompactUtf8() {
        Message m = new Message(1, "10", 1, "1", "Привет \"мир\" 👋\n", ContentType.TEXT, null, T, T, false, false);
        byte[] out = CODEC.encodeEvent(new ChatEvent.MessagePosted(m));
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"name\":\"Event.ReceiveMessage\",\"ok\":true,\"result\":{\"message\":{")
                .doesNotContain("\n").contains("Привет \\\"мир\\\" 👋\\n");
        assertThat(tree(out).at("/result/message/content").textValue()).isEqualTo("Привет \"мир\" 👋\n");
    }

    @Test
    void surrogatePairsAreKeptAndLoneSurrogatesEscapedWithoutThrowing() {
        Message pair = new Message(1, "10", 1, "1", "👋", ContentType.TEXT, null, T, T, false, false);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessagePosted(pair))).at("/result/message/content").textValue())
                .isEqualTo("👋");
        Message lone = new Message(1, "10", 1, "1", "a\uD800b", ContentType.TEXT, null, T, T, false, false);
        assertThat(tree(CODEC.encodeEvent(new ChatEvent.MessagePosted(lone))).at("/result/message/content").textValue())
                .isEqualTo("a\uD800b");
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        String user = thread + "" + i;
                        Request.Valid request = valid("{\"name\":\"Event.SendMessage\",\"id\":" + i
                                + ",\"args\":\"{\\\"session_channel\\\":\\\"c" + thread + "\\\",\\\"sender_id\\\":\\\""
                                + user + "\\\",\\\"content\\\":\\\"m" + i + "\\\"}\"}");
                        assertThat(request.command())
                                .isEqualTo(new Command.SendMessage("c" + thread, user, "m" + i, ContentType.TEXT, null));
                        Message m = new Message(i + 1, "c" + thread, i + 1, user, "m" + i, ContentType.TEXT, null,
                                T, T, false, false);
                        JsonNode out = tree(CODEC.encodeReply(request, new Reply.MessageReply(m)));
                        assertThat(out.get("id").intValue()).isEqualTo(i);
                        assertThat(out.at("/result/message/content").textValue()).isEqualTo("m" + i);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
