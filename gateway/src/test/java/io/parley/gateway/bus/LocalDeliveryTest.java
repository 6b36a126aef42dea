package io.parley.gateway.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.support.EmbeddedChannels;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.protocol.DialectCodec;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Reply;
import io.parley.protocol.events.EventsCodec;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.support.EmbeddedChannels.count;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static io.parley.gateway.support.EmbeddedChannels.releaseAll;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static org.assertj.core.api.Assertions.assertThat;

/** Fan-out on one node: each recipient connection gets the event, encoded once per dialect. */
@ExtendWith(LeakDetectionExtension.class)
class LocalDeliveryTest {
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);
    private static final Message MESSAGE = new Message(4242, "100", 7, "1", "hello all", ContentType.TEXT, null,
            NOW, NOW, false, false);
    private static final ChatEvent POSTED = new ChatEvent.MessagePosted(MESSAGE);

    private final EventsCodec events = new EventsCodec();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private SimpleMeterRegistry registry;
    private SessionRegistry sessions;
    private LocalDelivery delivery;

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        sessions = new SessionRegistry();
        delivery = new LocalDelivery(sessions, metrics, new SlowConsumerPolicy(metrics), new FlushBatch.PerLoop());
    }

    @AfterEach
    void everyChannelFinishesEmpty() {
        for (EmbeddedChannel channel : channels) {
            assertThat(channel.finish()).as("unread messages on %s", channel).isFalse();
        }
    }

    /** An online session of the user on its own channel. */
    private Session online(String userId, DialectCodec codec) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channels.add(channel);
        Session session = new Session(new Principal(userId, false), codec, channel);
        sessions.add(session);
        return session;
    }

    private static EmbeddedChannel channelOf(Session session) {
        return (EmbeddedChannel) session.channel();
    }

    /** The one frame the session's channel got, as the bytes of a whole WebSocket frame. The caller releases it. */
    private static ByteBuf onlyFrame(Session session) {
        channelOf(session).runPendingTasks(); // the event loop's queue of deliveries
        List<Object> written = outbound(channelOf(session));
        assertThat(written).as("frames written to %s", session).hasSize(1);
        assertThat(written.get(0)).as("a ready-made frame, not a frame object to encode").isInstanceOf(ByteBuf.class);
        return (ByteBuf) written.get(0);
    }

    private static void assertNothingWritten(Session session) {
        channelOf(session).runPendingTasks();
        assertThat((Object) channelOf(session).readOutbound()).as("frames written to %s", session).isNull();
    }

    private double deliveries() {
        return count(registry, "parley.messages.out");
    }

    @Test
    void everyRecipientConnectionGetsTheEventButTheOriginConnection() {
        Session origin = online("1", events);
        Session senderOtherTab = online("1", events);
        Session bobPhone = online("2", events);
        Session bobLaptop = online("2", events);
        Session carol = online("3", events);
        Session outsider = online("9", events);

        delivery.deliver(new Envelope(POSTED, Set.of("1", "2", "3"), origin.id()));

        assertNothingWritten(origin);
        assertNothingWritten(outsider);
        for (Session recipient : List.of(senderOtherTab, bobPhone, bobLaptop, carol)) {
            JsonNode pushed = EmbeddedChannels.json(onlyFrame(recipient));
            assertThat(pushed.path("name").asText()).isEqualTo("Event.ReceiveMessage");
            assertThat(pushed.at("/result/message/id").asLong()).isEqualTo(4242);
            assertThat(pushed.at("/result/message/content").asText()).isEqualTo("hello all");
        }
        assertThat(deliveries()).isEqualTo(4);
        assertThat(count(registry, "parley.frames.out", "dialect", "events")).isEqualTo(4);
    }

    @Test
    void recipientsOfOneDialectShareOneEncodingThatIsFreedWhenEveryFrameIsReleased() {
        Session a = online("2", events);
        Session b = online("2", events);
        Session c = online("3", events);

        delivery.deliver(new Envelope(POSTED, Set.of("2", "3"), 0));

        List<ByteBuf> frames = List.of(onlyFrame(a), onlyFrame(b), onlyFrame(c));
        ByteBuf shared = frames.get(0).unwrap();
        assertThat(shared).as("a duplicate of one buffer").isNotNull();
        for (ByteBuf frame : frames) {
            assertThat(frame.hasMemoryAddress()).as("direct memory, written without a copy").isTrue();
            assertThat(frame.memoryAddress()).as("the same bytes").isEqualTo(frames.get(0).memoryAddress());
            assertThat(EmbeddedChannels.text(frame)).isEqualTo(new String(events.encodeEvent(POSTED), StandardCharsets.UTF_8));
        }
        assertThat(shared.refCnt()).as("one reference per frame, the delivery's own is released").isEqualTo(3);

        releaseAll(frames);

        assertThat(shared.refCnt()).isZero();
    }

    @Test
    void eachDialectEncodesTheEventOnce() {
        CountingCodec plain = new CountingCodec("plain");
        Session eventsUser = online("2", events);
        Session plainPhone = online("2", plain);
        Session plainLaptop = online("3", plain);
        Session plainOrigin = online("1", plain);

        delivery.deliver(new Envelope(POSTED, Set.of("1", "2", "3"), plainOrigin.id()));

        assertThat(plain.encodes).isEqualTo(1);
        ByteBuf phone = onlyFrame(plainPhone);
        ByteBuf laptop = onlyFrame(plainLaptop);
        ByteBuf event = onlyFrame(eventsUser);
        assertThat(EmbeddedChannels.text(phone)).isEqualTo("plain:MessagePosted:4242");
        assertThat(phone.memoryAddress()).as("one encoding per dialect").isEqualTo(laptop.memoryAddress());
        assertThat(event.memoryAddress()).isNotEqualTo(phone.memoryAddress());
        assertThat(EmbeddedChannels.text(event)).contains("Event.ReceiveMessage");
        releaseAll(List.of(phone, laptop, event));
        assertNothingWritten(plainOrigin);
        assertThat(count(registry, "parley.frames.out", "dialect", "plain")).isEqualTo(2);
        assertThat(count(registry, "parley.frames.out", "dialect", "events")).isEqualTo(1);
    }

    @Test
    void nothingIsEncodedWhenNoRecipientIsOnline() {
        CountingCodec plain = new CountingCodec("plain");
        Session stranger = online("9", plain);

        delivery.deliver(new Envelope(POSTED, Set.of("1", "2"), 0));

        assertThat(plain.encodes).isZero();
        assertNothingWritten(stranger);
        assertThat(deliveries()).isZero();
    }

    @Test
    void dialectWithoutAFrameForTheEventWritesNothing() {
        CountingCodec silent = new CountingCodec("silent") {
            @Override
            public byte[] encodeEvent(ChatEvent event) {
                super.encodeEvent(event);
                return null;
            }
        };
        Session recipient = online("2", silent);

        delivery.deliver(new Envelope(POSTED, Set.of("2"), 0));

        assertThat(silent.encodes).isEqualTo(1);
        assertNothingWritten(recipient);
        assertThat(deliveries()).isZero();
    }

    @Test
    void anUnwritableConnectionIsClosedWith4008AndTheOthersStillGetTheEvent() {
        Session slow = online("2", events);
        Session fine = online("3", events);
        EmbeddedChannel slowChannel = channelOf(slow);
        slowChannel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        TextWebSocketFrame backlog = textFrame("x".repeat(64));
        slowChannel.write(backlog); // written, not flushed: over the high water mark
        assertThat(slowChannel.isWritable()).isFalse();

        delivery.deliver(new Envelope(POSTED, Set.of("2", "3"), 0));

        ByteBuf pushed = onlyFrame(fine);
        assertThat(EmbeddedChannels.text(pushed)).contains("hello all");
        pushed.release();

        slowChannel.runPendingTasks();
        List<Object> written = outbound(slowChannel);
        assertThat(written).hasSize(2);
        assertThat(written.get(0)).as("only the backlog, not the event").isSameAs(backlog);
        assertThat(((CloseWebSocketFrame) written.get(1)).statusCode()).isEqualTo(4008);
        releaseAll(written);
        assertThat(count(registry, "parley.slow.consumers.closed", "dialect", "events")).isEqualTo(1);
        assertThat(count(registry, "parley.frames.out", "dialect", "events")).as("frames written").isEqualTo(1);

        slowChannel.advanceTimeBy(1, TimeUnit.SECONDS);
        slowChannel.runScheduledPendingTasks();
        assertThat(slowChannel.isOpen()).isFalse();

        // A later event neither writes to the closing connection nor counts it again.
        delivery.deliver(new Envelope(POSTED, Set.of("2", "3"), 0));
        onlyFrame(fine).release();
        assertNothingWritten(slow);
        assertThat(count(registry, "parley.slow.consumers.closed", "dialect", "events")).isEqualTo(1);
    }

    @Test
    void deliveriesCountOnlyFramesActuallyWritten() {
        Session slow = online("2", events);
        Session fine = online("3", events);
        EmbeddedChannel slowChannel = channelOf(slow);
        slowChannel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        slowChannel.write(textFrame("x".repeat(64)));

        delivery.deliver(new Envelope(POSTED, Set.of("2", "3"), 0));

        onlyFrame(fine).release();
        slowChannel.runPendingTasks();
        releaseAll(outbound(slowChannel));
        assertThat(count(registry, "parley.frames.out", "dialect", "events")).isEqualTo(1);
        assertThat(deliveries()).as("one event written; the slow connection got none").isEqualTo(1);
    }

    /** A second real dialect for the test: a fixed text per event, and a count of encodings. */
    private static class CountingCodec implements DialectCodec {
        private final String name;
        int encodes;

        CountingCodec(String name) {
            this.name = name;
        }

        @Override
        public String dialect() {
            return name;
        }

        @Override
        public Request decode(byte[] utf8, int offset, int length) {
            throw new UnsupportedOperationException("push only");
        }

        @Override
        public byte[] encodeReply(Request.Valid request, Reply reply) {
            throw new UnsupportedOperationException("push only");
        }

        @Override
        public byte[] encodeError(Request request, ChatException error) {
            throw new UnsupportedOperationException("push only");
        }

        @Override
        public byte[] encodeEvent(ChatEvent event) {
            encodes++;
            long id = event instanceof ChatEvent.MessagePosted posted ? posted.message().id() : 0;
            return (name + ":" + event.getClass().getSimpleName() + ":" + id).getBytes(StandardCharsets.UTF_8);
        }
    }
}
