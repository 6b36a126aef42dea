package io.parley.gateway.bus;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.parley.protocol.command.ChatEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON for bus frames. Events are written with their type name ({@code "type":
 * "MessagePosted"}); the names are the simple class names of every record the sealed
 * {@link ChatEvent} permits, found by reflection, so a new event type needs no registration here
 * as long as it is a record of JSON-friendly fields. Unknown fields are ignored, so nodes of two
 * adjacent versions can share a cluster while one is being rolled out.
 *
 * <p>Frames of the one frequent event, {@link ChatEvent.MessagePosted}, are written and read by
 * {@link MessagePostedFrames} with Jackson's streaming API, to the same JSON; every other frame
 * (and any a streaming read does not handle) goes through databind. Thread-safe.
 */
public final class BusCodec {
    private final ObjectMapper json = mapper();
    private final MessagePostedFrames messagePosted = new MessagePostedFrames(json.getFactory());

    /** The databind mapper that defines the wire format (tests compare the streaming path with it). */
    static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addMixIn(ChatEvent.class, TypedEvent.class);
        mapper.registerSubtypes(eventTypes(ChatEvent.class).toArray(NamedType[]::new));
        return mapper;
    }

    /** Every concrete type below a sealed interface, named by its simple class name. */
    static List<NamedType> eventTypes(Class<?> sealed) {
        List<NamedType> types = new ArrayList<>();
        for (Class<?> permitted : sealed.getPermittedSubclasses()) {
            if (permitted.isSealed()) {
                types.addAll(eventTypes(permitted));
            } else {
                types.add(new NamedType(permitted, permitted.getSimpleName()));
            }
        }
        return types;
    }

    /** The frame alone, without the length prefix the bus sends it with ({@link #encodePrefixed}). */
    public byte[] encode(BusFrame frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        writeFrame(frame, out);
        return out.toByteArray();
    }

    /** The frame behind its length, ready for a {@link FrameBatch}: what {@link RoutedPublisher} sends. */
    byte[] encodePrefixed(BusFrame frame) {
        FrameBatch.PrefixedOutput out = new FrameBatch.PrefixedOutput();
        writeFrame(frame, out);
        return out.toPrefixed();
    }

    private void writeFrame(BusFrame frame, OutputStream out) {
        try {
            if (frame.event() instanceof ChatEvent.MessagePosted posted) {
                messagePosted.write(frame, posted, out);
            } else {
                json.writeValue(out, frame);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
    }

    public BusFrame decodeFrame(byte[] bytes) {
        return decodeFrame(bytes, 0, bytes.length);
    }

    /** A frame inside a larger payload (a {@link FrameBatch}), read where it lies. */
    public BusFrame decodeFrame(byte[] bytes, int offset, int length) {
        BusFrame frame = messagePosted.read(bytes, offset, length); // other event types: null at their type id
        return frame != null ? frame : read(bytes, offset, length, BusFrame.class);
    }

    public byte[] encode(MemberJoin join) {
        return write(join);
    }

    public MemberJoin decodeJoin(byte[] bytes) {
        return read(bytes, 0, bytes.length, MemberJoin.class);
    }

    public byte[] encode(PeerNotice notice) {
        return write(notice);
    }

    public PeerNotice decodeNotice(byte[] bytes) {
        return read(bytes, 0, bytes.length, PeerNotice.class);
    }

    private byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T read(byte[] bytes, int offset, int length, Class<T> type) {
        try {
            return json.readValue(bytes, offset, length, type);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed bus " + type.getSimpleName() + " (" + length + " bytes)", e);
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    private interface TypedEvent {
    }
}
