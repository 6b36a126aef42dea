package io.parley.gateway.bus;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class BusCodecTest {
    /** The plain databind mapper: what every node wrote and read before the streaming path. */
    private static final ObjectMapper DATABIND = BusCodec.mapper();

    private final BusCodec codec = new BusCodec();
    private final MessagePostedFrames streaming = new MessagePostedFrames(DATABIND.getFactory());
    private final Message message = new Message(374108552106240L, "100", 7, "1", "Hey ✓", ContentType.TEXT, 5L,
            Instant.parse("2026-11-23T02:41:33.123456Z"), Instant.parse("2026-11-23T02:41:33.123456Z"), false, false);

    @Test
    void everyEventTypeSurvivesTheTripWithItsTypeName() {
        List<ChatEvent> events = List.of(new ChatEvent.MessagePosted(message), new ChatEvent.MessageChanged(message),
                new ChatEvent.MessageRead("100", "2", message.id(), 7),
                new ChatEvent.Typing("100", "2", Instant.parse("2026-11-23T02:41:33.5Z")),
                new ChatEvent.PresenceChanged("2", true, Instant.EPOCH),
                new ChatEvent.MemberJoined(9, "100", "2", true, Instant.parse("2026-11-23T02:41:33Z")),
                new ChatEvent.MemberLeft(10, "100", "2", "system", Instant.parse("2026-11-23T02:41:34Z")),
                new ChatEvent.MemberLeft(11, "100", "2", null, Instant.parse("2026-11-23T02:41:35Z")));
        for (ChatEvent event : events) {
            BusFrame frame = new BusFrame(3, 1_700_000_000_000_000L, List.of("1", "2"), event);
            byte[] bytes = codec.encode(frame);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"type\":\"" + event.getClass().getSimpleName() + "\"");
            assertThat(codec.decodeFrame(bytes)).isEqualTo(frame);
            assertThat(bytes).isEqualTo(databindBytes(frame));
        }
    }

    @Test
    void everyPermittedEventTypeIsRegistered() {
        List<Class<?>> registered = BusCodec.eventTypes(ChatEvent.class).stream().<Class<?>>map(t -> t.getType()).toList();
        assertThat(registered).containsExactlyInAnyOrder(ChatEvent.class.getPermittedSubclasses());
    }

    @Test
    void unknownFieldsFromANewerNodeAreIgnored() {
        byte[] bytes = utf8("{\"from\":2,\"sentAtMicros\":1,\"recipients\":[\"1\"],\"future\":true,"
                + "\"event\":{\"type\":\"MessageRead\",\"chatId\":\"100\",\"readerId\":\"2\",\"messageId\":9,\"seq\":3,\"extra\":1}}");
        assertThat(codec.decodeFrame(bytes).event()).isEqualTo(new ChatEvent.MessageRead("100", "2", 9, 3));
    }

    @Test
    void joinsRoundTrip() {
        MemberJoin join = new MemberJoin(1, "100", "7");
        assertThat(codec.decodeJoin(codec.encode(join))).isEqualTo(join);
    }

    /** Byte-identical to databind both ways: old and new nodes share a cluster during a rolling upgrade. */
    @Test
    void messagePostedFramesAreDatabindsBytesAndReadBothWays() throws IOException {
        for (BusFrame frame : messagePostedVariants()) {
            byte[] streamed = codec.encode(frame);
            byte[] databind = databindBytes(frame);

            assertThat(new String(streamed, StandardCharsets.UTF_8)).isEqualTo(new String(databind, StandardCharsets.UTF_8));
            assertThat(DATABIND.readValue(streamed, BusFrame.class)).isEqualTo(frame); // an old node reads a new one
            assertThat(streaming.read(databind, 0, databind.length)).isEqualTo(frame); // and the other way, streamed
            assertThat(codec.decodeFrame(streamed)).isEqualTo(frame);
        }
    }

    @Test
    void theWrittenFormIsDatabindsForEveryFieldVariant() {
        Message m = new Message(1, "c", 2, "s", "x", ContentType.IMAGE, null, Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-01-02T03:04:05.120Z"), true, false);
        assertThat(new String(codec.encode(new BusFrame(-1, 0, List.of(), new ChatEvent.MessagePosted(m))),
                StandardCharsets.UTF_8)).isEqualTo("{\"from\":-1,\"sentAtMicros\":0,\"recipients\":[],\"event\":"
                + "{\"type\":\"MessagePosted\",\"message\":{\"id\":1,\"chatId\":\"c\",\"seq\":2,\"senderId\":\"s\","
                + "\"content\":\"x\",\"contentType\":\"IMAGE\",\"replyTo\":null,\"createdAt\":\"2026-01-02T03:04:05Z\","
                + "\"updatedAt\":\"2026-01-02T03:04:05.120Z\",\"deleted\":true,\"edited\":false,\"attachment\":null}}}");
    }

    @Test
    void prefixedFramesAreTheFrameBehindItsLengthForEveryEventType() {
        List<BusFrame> frames = new ArrayList<>(messagePostedVariants());
        frames.add(new BusFrame(1, 2, List.of("3"), new ChatEvent.MessageChanged(message)));
        frames.add(new BusFrame(1, 2, List.of("3"), new ChatEvent.Typing("100", "3", Instant.EPOCH)));
        for (BusFrame frame : frames) {
            byte[] prefixed = codec.encodePrefixed(frame);
            assertThat(prefixed).isEqualTo(PrefixedFrames.of(codec.encode(frame)));
            List<BusFrame> decoded = new ArrayList<>();
            FrameBatch.forEach(prefixed, s -> decoded.add(codec.decodeFrame(s.bytes(), s.offset(), s.length())));
            assertThat(decoded).containsExactly(frame);
        }
    }

    @Test
    void fieldsInAnyOrderAndUnknownFieldsAreReadByTheStreamingPath() {
        byte[] bytes = utf8("""
                {"event": {"extra": {"a": [1, {"b": null}]},
                           "message": {"edited": true, "updatedAt": "2026-11-23T02:41:34Z", "future": [[]],
                                       "replyTo": 5, "content": "Hey ✓", "senderId": "1", "contentType": "TEXT",
                                       "deleted": false, "seq": 7, "chatId": "100", "id": 374108552106240,
                                       "createdAt": "2026-11-23T02:41:33.123456Z", "more": "x"},
                           "type": "MessagePosted"},
                 "recipients": ["2", "1"], "trace": {"span": "abc"}, "sentAtMicros": 42, "from": 3}
                """);
        BusFrame expected = new BusFrame(3, 42, List.of("2", "1"), new ChatEvent.MessagePosted(new Message(
                374108552106240L, "100", 7, "1", "Hey ✓", ContentType.TEXT, 5L,
                Instant.parse("2026-11-23T02:41:33.123456Z"), Instant.parse("2026-11-23T02:41:34Z"), false, true)));

        assertThat(streaming.read(bytes, 0, bytes.length)).isEqualTo(expected);
        assertThat(codec.decodeFrame(bytes)).isEqualTo(expected);
        assertThat(databindFrame(bytes)).isEqualTo(expected);
    }

    @Test
    void absentPrimitivesAndReplyToDefaultAsInDatabind() {
        byte[] bytes = utf8("{\"recipients\":[],\"event\":{\"type\":\"MessagePosted\",\"message\":{\"chatId\":\"1\","
                + "\"senderId\":\"2\",\"content\":\"\",\"contentType\":\"TEXT\",\"createdAt\":\"1970-01-01T00:00:00Z\","
                + "\"updatedAt\":\"1970-01-01T00:00:00Z\"}}}");
        BusFrame streamed = streaming.read(bytes, 0, bytes.length);
        assertThat(streamed).isNotNull().isEqualTo(databindFrame(bytes));
        assertThat(streamed.from()).isZero();
        assertThat(((ChatEvent.MessagePosted) streamed.event()).message().replyTo()).isNull();
    }

    /** Spellings databind accepts and the streaming reader leaves to it: the frame still decodes as before. */
    @Test
    void whatTheStreamingReaderDoesNotHandleIsDatabinds() {
        String posted = "{\"from\":1,\"sentAtMicros\":2,\"recipients\":[\"3\"],\"event\":{\"type\":\"MessagePosted\","
                + "\"message\":{\"id\":%s,\"chatId\":\"100\",\"seq\":7,\"senderId\":\"1\",\"content\":\"hi\","
                + "\"contentType\":%s,\"replyTo\":null,\"createdAt\":%s,\"updatedAt\":\"2026-11-23T02:41:33Z\","
                + "\"deleted\":false,\"edited\":false}}}";
        List<byte[]> inputs = List.of(
                utf8(posted.formatted("\"12\"", "\"TEXT\"", "\"2026-11-23T02:41:33Z\"")), // id as a string
                utf8(posted.formatted("12", "\"TEXT\"", "1700000000.123456789")), // instant as epoch seconds
                utf8(posted.formatted("12", "\"IMAGE\"", "\"2026-11-23T03:41:33+01:00\"")), // instant with an offset
                utf8(posted.formatted("12.0", "\"TEXT\"", "\"2026-11-23T02:41:33Z\"")), // id as a float
                // type id after the other fields of another event type
                utf8("{\"from\":1,\"sentAtMicros\":2,\"recipients\":[\"3\"],\"event\":{\"chatId\":\"100\","
                        + "\"readerId\":\"2\",\"messageId\":9,\"seq\":3,\"type\":\"MessageRead\"}}"));
        for (byte[] bytes : inputs) {
            assertThat(streaming.read(bytes, 0, bytes.length)).isNull();
            assertThat(codec.decodeFrame(bytes)).isEqualTo(databindFrame(bytes));
        }
    }

    /** RedisBus counts a "decode" error for any RuntimeException: malformed frames fail as they always did. */
    @Test
    void malformedFramesFailAsInDatabind() {
        String good = new String(codec.encode(new BusFrame(1, 2, List.of("3"), new ChatEvent.MessagePosted(message))),
                StandardCharsets.UTF_8);
        List<String> inputs = List.of(
                "",
                "not json",
                good.substring(0, good.length() / 2), // truncated
                good.replace("\"MessagePosted\"", "\"NoSuchEvent\""),
                good.replace("\"chatId\":\"100\",", ""), // Message requires it
                good.replace("\"TEXT\"", "\"VIDEO\""),
                good.replace("2026-11-23T02:41:33.123456Z", "2026-13-23T02:41:33Z"),
                good.replace("\"from\":1", "\"from\":99999999999"),
                good.replace("\"recipients\":[\"3\"]", "\"recipients\":[null]"),
                good.replace("\"type\":\"MessagePosted\",", "")); // no type id
        for (String input : inputs) {
            byte[] bytes = utf8(input);
            Throwable databind = catchThrowable(() -> DATABIND.readValue(bytes, BusFrame.class));
            assertThat(databind).as(input).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> codec.decodeFrame(bytes)).as(input)
                    .isInstanceOf(UncheckedIOException.class)
                    .cause().isExactlyInstanceOf(databind.getClass());
        }
    }

    @Test
    void concurrentEncodersAndDecodersDoNotShareState() throws Exception {
        List<BusFrame> frames = messagePostedVariants();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        BusFrame frame = frames.get(i % frames.size());
                        assertThat(codec.decodeFrame(codec.encode(frame))).isEqualTo(frame);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    /** Every field's variants: replyTo, content types, flags, awkward content, instants, number extremes. */
    private List<BusFrame> messagePostedVariants() {
        List<String> contents = List.of("", "Hey ✓", "emoji 😀👍🏽 and 中文, Ω, é", "quotes \" and \\ backslashes \\\" /",
                "controls \u0000\u0001\b\f\n\r\t\u001f\u007f end", "separators \u2028\u2029 and </script>",
                "lone surrogates \uD800 x \uDC00", "https://cdn.example/img.png?a=1&b=2",
                "long ✓ " + "0123456789abcdef\"\\😀".repeat(2_000)); // past the generator's 8000-byte buffer
        List<Instant> instants = List.of(Instant.parse("2026-11-23T02:41:33Z"), Instant.parse("2026-11-23T02:41:33.1Z"),
                Instant.parse("2026-11-23T02:41:33.123Z"), Instant.parse("2026-11-23T02:41:33.123456Z"),
                Instant.parse("2026-11-23T02:41:33.123456789Z"), Instant.parse("2026-11-23T02:41:33.000000001Z"),
                Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999Z"), Instant.parse("2024-02-29T23:59:59Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("+12345-06-07T08:09:10Z"),
                Instant.parse("-0001-01-01T00:00:00Z"));
        List<BusFrame> frames = new ArrayList<>();
        for (String content : contents) {
            for (ContentType type : ContentType.values()) {
                frames.add(posted(new Message(message.id(), "100", 7, "1", content, type, null, message.createdAt(),
                        message.updatedAt(), false, false)));
            }
        }
        for (Instant at : instants) {
            frames.add(posted(new Message(1, "chat", 1, "me", "x", ContentType.TEXT, 0L, at, at, false, false)));
        }
        for (boolean deleted : new boolean[] {false, true}) {
            for (boolean edited : new boolean[] {false, true}) {
                frames.add(posted(new Message(2, "c", 3, "s", deleted ? "" : "y", ContentType.TEXT, -4L,
                        message.createdAt(), Instant.parse("2027-01-01T00:00:00Z"), deleted, edited)));
            }
        }
        frames.add(new BusFrame(Integer.MAX_VALUE, Long.MAX_VALUE, List.of(), new ChatEvent.MessagePosted(new Message(
                Long.MAX_VALUE, "ö\"", Long.MIN_VALUE, "", "z", ContentType.IMAGE, Long.MIN_VALUE, Instant.EPOCH,
                Instant.EPOCH, true, true))));
        for (Attachment attachment : List.of(new Attachment("a-1_Z", "image/png", 48_213, 640, 480, "кот \"1\".png"),
                new Attachment("b", "application/pdf", Long.MAX_VALUE, null, null, null))) {
            frames.add(posted(new Message(3, "c", 4, "s", "", ContentType.TEXT, null, message.createdAt(),
                    message.createdAt(), false, false, attachment)));
        }
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add("user-" + i);
        }
        frames.add(new BusFrame(Integer.MIN_VALUE, -1, many, new ChatEvent.MessagePosted(message)));
        return frames;
    }

    private static BusFrame posted(Message m) {
        return new BusFrame(3, 1_700_000_000_123_456L, List.of("1", "2"), new ChatEvent.MessagePosted(m));
    }

    private static byte[] databindBytes(BusFrame frame) {
        try {
            return DATABIND.writeValueAsBytes(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BusFrame databindFrame(byte[] bytes) {
        try {
            return DATABIND.readValue(bytes, BusFrame.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
