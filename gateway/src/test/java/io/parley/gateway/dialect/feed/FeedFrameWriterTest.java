package io.parley.gateway.dialect.feed;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.feed.FeedCodec;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.parley.gateway.support.EmbeddedChannels.json;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static io.parley.gateway.support.EmbeddedChannels.pushShared;
import static io.parley.gateway.support.EmbeddedChannels.tracked;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code feed} writer on an {@code EmbeddedChannel}, with the real feed codec's open frames:
 * every frame gets the socket's next {@code socket_sequence} at write time, the history update is
 * frame 0 whatever arrived first, and a message the history showed is never written again.
 */
@ExtendWith(LeakDetectionExtension.class)
class FeedFrameWriterTest {
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
    private static final String CHAT = "chat-1";
    private static final Request.Valid HISTORY = new Request.Valid("history", null,
            new Command.GetHistory(CHAT, null, null, FeedHistoryHandler.HISTORY_SIZE));
    private static final Request.Valid SEND = new Request.Valid(FeedCodec.UPDATE, null,
            new Command.SendMessage(CHAT, null, "x", ContentType.TEXT, null));

    private final FeedCodec codec = new FeedCodec(Clock.fixed(NOW, ZoneOffset.UTC));
    private EmbeddedChannel channel;
    private FeedFrameWriter writer;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        writer = new FeedFrameWriter(channel);
    }

    private static Message message(long seq) {
        return new Message(1_000 + seq, CHAT, seq, "1", "m" + seq, ContentType.TEXT, null, NOW, NOW, false, false);
    }

    private byte[] history(long... seqs) {
        List<Message> page = new ArrayList<>();
        for (long seq : seqs) {
            page.add(message(seq));
        }
        return codec.encodeReply(HISTORY, new Reply.HistoryPage(page, Map.of()));
    }

    /** What the chat handler writes when this socket's own message is committed. */
    private void acknowledge(long seq) {
        writer.write(codec.encodeReply(SEND, new Reply.MessageReply(message(seq))), seq);
    }

    /**
     * A push as LocalDelivery makes it: the encoding in a tracked buffer shared by every
     * recipient, the writer takes its own reference, the delivery releases its own.
     */
    private ByteBuf push(ChatEvent event) {
        ByteBuf shared = tracked(codec.encodeEvent(event));
        pushShared(writer, shared, event);
        shared.release();
        return shared;
    }

    private ByteBuf pushMessage(long seq) {
        return push(new ChatEvent.MessagePosted(message(seq)));
    }

    private static ChatEvent.MemberJoined agentJoined() {
        return new ChatEvent.MemberJoined(4_242, CHAT, "agent-7", true, NOW);
    }

    /** Every frame written so far, as JSON; releases them. */
    private List<JsonNode> written() {
        channel.runPendingTasks();
        return outbound(channel).stream().map(frame -> json(frame)).toList();
    }

    private static List<Long> sequences(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("socket_sequence").asLong(-1)).toList();
    }

    private static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("type").asText()).toList();
    }

    private static List<Long> eventIds(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("eventId").asLong(-1)).toList();
    }

    @Test
    void framesAreNumberedFrom0InWireOrderAcrossRepliesPushesHeartbeatsAndErrors() {
        writer.start(history(1, 2), 2);
        acknowledge(3);
        ByteBuf pushed = pushMessage(4);
        writer.write(FeedCodec.heartbeat());
        writer.write(codec.encodeError(SEND, new ChatException(ErrorCode.TOO_LARGE, "too long")));
        ByteBuf joined = push(agentJoined());

        List<JsonNode> frames = written();

        assertThat(sequences(frames)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(types(frames)).containsExactly("update", "update", "update", "heartbeat", "error", "update");
        assertThat(eventIds(frames)).containsExactly(1_002L, 1_003L, 1_004L, -1L, -1L, 4_242L);
        assertThat(frames.get(0).path("message")).extracting(item -> item.path("text").asText())
                .containsExactly("m1", "m2");
        assertThat(frames.get(4).path("code").asInt()).isEqualTo(413);
        assertThat(frames.get(5).at("/message/0/type").asText()).isEqualTo("chat_event");
        assertThat(pushed.refCnt()).isZero();
        assertThat(joined.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void eachFrameIsTheSharedOpenFrameFollowedByTheSocketsNumber() {
        writer.start(history(), 0);
        written();
        ChatEvent event = new ChatEvent.MessagePosted(message(1));
        byte[] open = codec.encodeEvent(event);
        ByteBuf shared = tracked(open);

        pushShared(writer, shared, event);

        TextWebSocketFrame frame = channel.readOutbound();
        assertThat(frame.text()).isEqualTo(new String(FeedCodec.complete(open, 1), StandardCharsets.UTF_8));
        assertThat(shared.refCnt()).as("the writer's duplicate, not a copy").isEqualTo(2);
        frame.release();
        assertThat(shared.refCnt()).isEqualTo(1);
        shared.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void everythingWaitsForTheHistoryWhichIsAlwaysFrame0() {
        writer.write(FeedCodec.heartbeat());
        ByteBuf pushed = pushMessage(3);
        ByteBuf joined = push(agentJoined());
        writer.write(codec.encodeError(SEND, new ChatException(ErrorCode.BAD_REQUEST, "bad")));
        assertThat(written()).as("held until the history").isEmpty();
        assertThat(pushed.refCnt()).as("held, not copied").isEqualTo(1);

        writer.start(history(1, 2), 2);

        List<JsonNode> frames = written();
        assertThat(sequences(frames)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(types(frames)).containsExactly("update", "heartbeat", "update", "update", "error");
        assertThat(eventIds(frames)).containsExactly(1_002L, -1L, 1_003L, 4_242L, -1L);
        assertThat(pushed.refCnt()).isZero();
        assertThat(joined.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void heldMessagesThatTheHistoryHoldsAreSkippedAndReleased() {
        ByteBuf second = pushMessage(2);
        acknowledge(3); // this socket's own message, committed before the history was read
        ByteBuf joined = push(agentJoined());
        ByteBuf fourth = pushMessage(4);
        acknowledge(5);

        writer.start(history(1, 2, 3), 3);

        List<JsonNode> frames = written();
        assertThat(sequences(frames)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(eventIds(frames)).containsExactly(1_003L, 4_242L, 1_004L, 1_005L);
        assertThat(second.refCnt()).isZero();
        assertThat(joined.refCnt()).isZero();
        assertThat(fourth.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void messagesTheHistoryHoldsAreSkippedAlsoWhenTheyArriveAfterIt() {
        // Committed before the history was read, but pushed (or acknowledged) after it was written:
        // the writer thread publishes after the commit, and a read may see the commit first.
        writer.start(history(1, 2, 3), 3);

        ByteBuf late = pushMessage(3);
        acknowledge(2);
        ByteBuf next = pushMessage(4);

        List<JsonNode> frames = written();
        assertThat(sequences(frames)).containsExactly(0L, 1L);
        assertThat(eventIds(frames)).containsExactly(1_003L, 1_004L);
        assertThat(late.refCnt()).isZero();
        assertThat(next.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aFailedHistoryIsFrame0AndSkipsNothing() {
        ByteBuf pushed = pushMessage(1);

        writer.start(codec.encodeError(HISTORY, new ChatException(ErrorCode.UNAVAILABLE, "store down")), 0);

        List<JsonNode> frames = written();
        assertThat(types(frames)).containsExactly("error", "update");
        assertThat(sequences(frames)).containsExactly(0L, 1L);
        assertThat(frames.get(0).path("code").asInt()).isEqualTo(503);
        assertThat(pushed.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void onlyTheFirstStartCounts() {
        writer.start(history(1), 1);
        writer.start(history(1, 2), 2);

        List<JsonNode> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).path("eventId").asLong()).isEqualTo(1_001L);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sharedBuffersAreReleasedOnceEveryRecipientsFrameIsReleased() {
        EmbeddedChannel otherChannel = new EmbeddedChannel();
        FeedFrameWriter other = new FeedFrameWriter(otherChannel);
        writer.start(history(), 0);
        other.start(history(), 0);
        written();
        outbound(otherChannel).forEach(f -> json(f));
        ChatEvent event = new ChatEvent.MessagePosted(message(1));
        ByteBuf shared = tracked(codec.encodeEvent(event));

        pushShared(writer, shared, event);
        pushShared(other, shared, event);
        shared.release();

        assertThat(shared.refCnt()).as("one reference per written frame").isEqualTo(2);
        TextWebSocketFrame mine = channel.readOutbound();
        TextWebSocketFrame theirs = otherChannel.readOutbound();
        assertThat(mine.text()).isEqualTo(theirs.text());
        mine.release();
        assertThat(shared.refCnt()).isEqualTo(1);
        theirs.release();
        assertThat(shared.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
        assertThat(otherChannel.finish()).isFalse();
    }

    @Test
    void closingWhileHoldingReleasesEverythingHeld() {
        ByteBuf pushed = pushMessage(1);
        ByteBuf joined = push(agentJoined());
        writer.write(FeedCodec.heartbeat());

        channel.close();

        assertThat(pushed.refCnt()).isZero();
        assertThat(joined.refCnt()).isZero();
        writer.start(history(), 0); // the history answer comes back after the close
        assertThat(written()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void framesForAClosedSocketAreReleasedUnwritten() {
        writer.start(history(), 0);
        written();
        channel.close();

        ByteBuf pushed = pushMessage(1);
        writer.write(FeedCodec.heartbeat());

        assertThat(pushed.refCnt()).isZero();
        assertThat(written()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aChatTooBusyToHoldWhileTheHistoryLoadsClosesTheSocketAndReleasesWhatWasHeld() {
        ChatEvent event = new ChatEvent.MessagePosted(message(1));
        ByteBuf shared = tracked(codec.encodeEvent(event));
        for (int i = 0; i < FeedFrameWriter.MAX_HELD; i++) {
            pushShared(writer, shared, event);
        }
        assertThat(shared.refCnt()).isEqualTo(1 + FeedFrameWriter.MAX_HELD);
        assertThat(channel.isOpen()).isTrue();

        pushShared(writer, shared, event);

        assertThat(channel.isOpen()).isFalse();
        assertThat(shared.refCnt()).as("only the test's own reference is left").isEqualTo(1);
        shared.release();
        assertThat(written()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }
}
