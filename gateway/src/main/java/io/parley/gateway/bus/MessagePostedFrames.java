package io.parley.gateway.bus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;

import java.io.IOException;
import java.io.OutputStream;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The hot bus frame, one whose event is {@link ChatEvent.MessagePosted}, written and read with
 * Jackson's streaming API: databind's record creators, type resolution and reflective accessors
 * were most of the bus's CPU. The JSON is byte for byte what {@link BusCodec}'s databind mapper
 * writes (field order, {@code "type"}, {@link Instant#toString()} text, enum names, {@code null}
 * replyTo), so nodes of either version read each other's frames. BusCodecTest compares the two
 * byte for byte: a field added to {@link Message} or the frame fails it until it is written here.
 *
 * <p>Reading handles fields in any order and skips unknown ones; anything else it does not
 * expect (another event type, a missing required field, a token of another kind, malformed JSON)
 * makes {@link #read} return {@code null}, and the caller reads that frame with databind, which
 * then decides exactly as it always did — including which exception malformed input gets.
 */
final class MessagePostedFrames {
    static final String TYPE = ChatEvent.MessagePosted.class.getSimpleName();

    // Frame and event fields, in databind's order (record components, type id first).
    private static final SerializedString FROM = new SerializedString("from");
    private static final SerializedString SENT_AT_MICROS = new SerializedString("sentAtMicros");
    private static final SerializedString RECIPIENTS = new SerializedString("recipients");
    private static final SerializedString EVENT = new SerializedString("event");
    private static final SerializedString EVENT_TYPE = new SerializedString("type");
    private static final SerializedString MESSAGE = new SerializedString("message");
    // Message fields, in record component order.
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString CHAT_ID = new SerializedString("chatId");
    private static final SerializedString SEQ = new SerializedString("seq");
    private static final SerializedString SENDER_ID = new SerializedString("senderId");
    private static final SerializedString CONTENT = new SerializedString("content");
    private static final SerializedString CONTENT_TYPE = new SerializedString("contentType");
    private static final SerializedString REPLY_TO = new SerializedString("replyTo");
    private static final SerializedString CREATED_AT = new SerializedString("createdAt");
    private static final SerializedString UPDATED_AT = new SerializedString("updatedAt");
    private static final SerializedString DELETED = new SerializedString("deleted");
    private static final SerializedString EDITED = new SerializedString("edited");
    private static final SerializedString ATTACHMENT = new SerializedString("attachment");
    // Attachment fields, in record component order.
    private static final SerializedString MEDIA_TYPE = new SerializedString("mediaType");
    private static final SerializedString SIZE = new SerializedString("size");
    private static final SerializedString WIDTH = new SerializedString("width");
    private static final SerializedString HEIGHT = new SerializedString("height");
    private static final SerializedString NAME = new SerializedString("name");

    private static final ContentType[] CONTENT_TYPES = ContentType.values();

    /** Thrown inside {@link #read} for input the streaming reader leaves to databind. */
    private static final class Unhandled extends RuntimeException {
        static final Unhandled INSTANCE = new Unhandled();

        private Unhandled() {
            super("not a frame the streaming reader handles", null, false, false);
        }
    }

    private final JsonFactory factory;

    /** @param factory databind's own, so both paths share its read/write features and limits */
    MessagePostedFrames(JsonFactory factory) {
        this.factory = factory;
    }

    void write(BusFrame frame, ChatEvent.MessagePosted event, OutputStream out) throws IOException {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName(FROM);
            g.writeNumber(frame.from());
            g.writeFieldName(SENT_AT_MICROS);
            g.writeNumber(frame.sentAtMicros());
            g.writeFieldName(RECIPIENTS);
            g.writeStartArray();
            for (String recipient : frame.recipients()) {
                g.writeString(recipient);
            }
            g.writeEndArray();
            g.writeFieldName(EVENT);
            g.writeStartObject();
            g.writeFieldName(EVENT_TYPE);
            g.writeString(TYPE);
            g.writeFieldName(MESSAGE);
            writeMessage(g, event.message());
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static void writeMessage(JsonGenerator g, Message m) throws IOException {
        g.writeStartObject();
        g.writeFieldName(ID);
        g.writeNumber(m.id());
        g.writeFieldName(CHAT_ID);
        g.writeString(m.chatId());
        g.writeFieldName(SEQ);
        g.writeNumber(m.seq());
        g.writeFieldName(SENDER_ID);
        g.writeString(m.senderId());
        g.writeFieldName(CONTENT);
        g.writeString(m.content());
        g.writeFieldName(CONTENT_TYPE);
        g.writeString(m.contentType().name());
        g.writeFieldName(REPLY_TO);
        if (m.replyTo() == null) {
            g.writeNull();
        } else {
            g.writeNumber(m.replyTo());
        }
        g.writeFieldName(CREATED_AT);
        g.writeString(m.createdAt().toString()); // JavaTimeModule's text form: ISO_INSTANT
        g.writeFieldName(UPDATED_AT);
        g.writeString(m.updatedAt().toString());
        g.writeFieldName(DELETED);
        g.writeBoolean(m.deleted());
        g.writeFieldName(EDITED);
        g.writeBoolean(m.edited());
        g.writeFieldName(ATTACHMENT);
        writeAttachment(g, m.attachment());
        g.writeEndObject();
    }

    private static void writeAttachment(JsonGenerator g, Attachment a) throws IOException {
        if (a == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeFieldName(ID);
        g.writeString(a.id());
        g.writeFieldName(MEDIA_TYPE);
        g.writeString(a.mediaType());
        g.writeFieldName(SIZE);
        g.writeNumber(a.size());
        g.writeFieldName(WIDTH);
        writeNullable(g, a.width());
        g.writeFieldName(HEIGHT);
        writeNullable(g, a.height());
        g.writeFieldName(NAME);
        if (a.name() == null) {
            g.writeNull();
        } else {
            g.writeString(a.name());
        }
        g.writeEndObject();
    }

    private static void writeNullable(JsonGenerator g, Integer value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }

    /** @return the frame, or {@code null} when it is not one this reader handles (see the class comment) */
    BusFrame read(byte[] bytes, int offset, int length) {
        try (JsonParser p = factory.createParser(bytes, offset, length)) {
            return readFrame(p);
        } catch (IOException | Unhandled e) {
            return null;
        }
    }

    private static BusFrame readFrame(JsonParser p) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT);
        // Absent primitives are 0, as databind makes them.
        int from = 0;
        long sentAtMicros = 0;
        List<String> recipients = null;
        ChatEvent.MessagePosted event = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "from" -> {
                    expect(value, JsonToken.VALUE_NUMBER_INT);
                    from = p.getIntValue();
                }
                case "sentAtMicros" -> sentAtMicros = longValue(p, value);
                case "recipients" -> recipients = strings(p, value);
                case "event" -> event = readEvent(p, value);
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        if (recipients == null || event == null) {
            throw Unhandled.INSTANCE;
        }
        return new BusFrame(from, sentAtMicros, recipients, event);
    }

    private static ChatEvent.MessagePosted readEvent(JsonParser p, JsonToken start) throws IOException {
        expect(start, JsonToken.START_OBJECT);
        boolean typed = false;
        Message message = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "type" -> {
                    if (!TYPE.equals(string(p, value))) {
                        throw Unhandled.INSTANCE; // another event type: databind's
                    }
                    typed = true;
                }
                case "message" -> message = readMessage(p, value);
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        if (!typed || message == null) {
            throw Unhandled.INSTANCE;
        }
        return new ChatEvent.MessagePosted(message);
    }

    private static Message readMessage(JsonParser p, JsonToken start) throws IOException {
        expect(start, JsonToken.START_OBJECT);
        long id = 0;
        long seq = 0;
        String chatId = null;
        String senderId = null;
        String content = null;
        ContentType contentType = null;
        Long replyTo = null;
        Instant createdAt = null;
        Instant updatedAt = null;
        boolean deleted = false;
        boolean edited = false;
        Attachment attachment = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> id = longValue(p, value);
                case "chatId" -> chatId = string(p, value);
                case "seq" -> seq = longValue(p, value);
                case "senderId" -> senderId = string(p, value);
                case "content" -> content = string(p, value);
                case "contentType" -> contentType = contentType(string(p, value));
                case "replyTo" -> replyTo = value == JsonToken.VALUE_NULL ? null : longValue(p, value);
                case "createdAt" -> createdAt = instant(string(p, value));
                case "updatedAt" -> updatedAt = instant(string(p, value));
                case "deleted" -> deleted = bool(value);
                case "edited" -> edited = bool(value);
                case "attachment" -> attachment = value == JsonToken.VALUE_NULL ? null : readAttachment(p, value);
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        if (chatId == null || senderId == null || content == null || contentType == null || createdAt == null
                || updatedAt == null) {
            throw Unhandled.INSTANCE; // Message would refuse it: let databind report it as it always has
        }
        return new Message(id, chatId, seq, senderId, content, contentType, replyTo, createdAt, updatedAt, deleted,
                edited, attachment);
    }

    private static Attachment readAttachment(JsonParser p, JsonToken start) throws IOException {
        expect(start, JsonToken.START_OBJECT);
        String id = null;
        String mediaType = null;
        long size = 0;
        Integer width = null;
        Integer height = null;
        String name = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> id = string(p, value);
                case "mediaType" -> mediaType = string(p, value);
                case "size" -> size = longValue(p, value);
                case "width" -> width = nullableInt(p, value);
                case "height" -> height = nullableInt(p, value);
                case "name" -> name = value == JsonToken.VALUE_NULL ? null : string(p, value);
                default -> p.skipChildren();
            }
        }
        expect(p.currentToken(), JsonToken.END_OBJECT);
        if (id == null || mediaType == null || !Attachment.validId(id)) {
            throw Unhandled.INSTANCE;
        }
        return new Attachment(id, mediaType, size, width, height, name);
    }

    private static Integer nullableInt(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(value, JsonToken.VALUE_NUMBER_INT);
        return p.getIntValue();
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw Unhandled.INSTANCE;
        }
    }

    /** Only a JSON integer in range; databind's coercions (strings, floats) are left to databind. */
    private static long longValue(JsonParser p, JsonToken value) throws IOException {
        expect(value, JsonToken.VALUE_NUMBER_INT);
        return p.getLongValue(); // out of range: InputCoercionException, an IOException
    }

    private static String string(JsonParser p, JsonToken value) throws IOException {
        expect(value, JsonToken.VALUE_STRING);
        return p.getText();
    }

    private static boolean bool(JsonToken value) {
        if (value == JsonToken.VALUE_TRUE) {
            return true;
        }
        expect(value, JsonToken.VALUE_FALSE);
        return false;
    }

    private static List<String> strings(JsonParser p, JsonToken start) throws IOException {
        expect(start, JsonToken.START_ARRAY);
        List<String> list = new ArrayList<>(4);
        JsonToken item;
        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            list.add(string(p, item));
        }
        return list;
    }

    private static ContentType contentType(String name) {
        for (ContentType type : CONTENT_TYPES) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw Unhandled.INSTANCE;
    }

    /**
     * The form every version writes ({@link Instant#toString()}, UTC with {@code Z}); other
     * spellings databind's InstantDeserializer accepts (offsets, epoch numbers, padding) are its.
     */
    private static Instant instant(String text) {
        if (text.isEmpty() || text.charAt(text.length() - 1) != 'Z') {
            throw Unhandled.INSTANCE;
        }
        try {
            return InstantText.parse(text);
        } catch (DateTimeException e) {
            throw Unhandled.INSTANCE;
        }
    }
}
