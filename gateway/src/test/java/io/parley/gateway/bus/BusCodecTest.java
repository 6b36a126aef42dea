package io.parley.gateway.bus;

import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BusCodecTest {
    private final BusCodec codec = new BusCodec();
    private final Message message = new Message(374108552106240L, "100", 7, "1", "Hey ✓", ContentType.TEXT, 5L,
            Instant.parse("2026-11-23T02:41:33.123456Z"), Instant.parse("2026-11-23T02:41:33.123456Z"), false, false);

    @Test
    void everyEventTypeSurvivesTheTripWithItsTypeName() {
        List<ChatEvent> events = List.of(new ChatEvent.MessagePosted(message), new ChatEvent.MessageChanged(message),
                new ChatEvent.MessageRead("100", "2", message.id(), 7));
        for (ChatEvent event : events) {
            BusFrame frame = new BusFrame(3, 1_700_000_000_000_000L, List.of("1", "2"), event);
            byte[] bytes = codec.encode(frame);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"type\":\"" + event.getClass().getSimpleName() + "\"");
            assertThat(codec.decodeFrame(bytes)).isEqualTo(frame);
        }
    }

    @Test
    void everyPermittedEventTypeIsRegistered() {
        List<Class<?>> registered = BusCodec.eventTypes(ChatEvent.class).stream().<Class<?>>map(t -> t.getType()).toList();
        assertThat(registered).containsExactlyInAnyOrder(ChatEvent.class.getPermittedSubclasses());
    }

    @Test
    void unknownFieldsFromANewerNodeAreIgnored() {
        byte[] bytes = ("{\"from\":2,\"sentAtMicros\":1,\"recipients\":[\"1\"],\"future\":true,"
                + "\"event\":{\"type\":\"MessageRead\",\"chatId\":\"100\",\"readerId\":\"2\",\"messageId\":9,\"seq\":3,\"extra\":1}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(codec.decodeFrame(bytes).event()).isEqualTo(new ChatEvent.MessageRead("100", "2", 9, 3));
    }

    @Test
    void joinsRoundTrip() {
        MemberJoin join = new MemberJoin(1, "100", "7");
        assertThat(codec.decodeJoin(codec.encode(join))).isEqualTo(join);
    }
}
