package io.parley.gateway.websocket;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.support.LeakDetectionExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.support.EmbeddedChannels.count;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static io.parley.gateway.support.EmbeddedChannels.tracked;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6455 housekeeping: pings, closes, binary refusal, oversize and corrupt frames, idle connections. */
@ExtendWith(LeakDetectionExtension.class)
class ControlFrameHandlerTest {
    private SimpleMeterRegistry registry;
    private GatewayMetrics metrics;
    private final IdleSweeps idleSweeps = new IdleSweeps(Duration.ofSeconds(1));

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        metrics = new GatewayMetrics(registry);
    }

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ControlFrameHandler(metrics, idleSweeps));
    }

    private double closes(int code) {
        return count(registry, "parley.protocol.closes", "code", Integer.toString(code));
    }

    /** Reads the next outbound frame, which must be a close frame, and returns its status code (-1: none). */
    private static int readCloseCode(EmbeddedChannel channel) {
        Object out = channel.readOutbound();
        try {
            assertThat(out).isInstanceOf(CloseWebSocketFrame.class);
            return ((CloseWebSocketFrame) out).statusCode();
        } finally {
            ReferenceCountUtil.release(out);
        }
    }

    // ---- ping / pong ------------------------------------------------------------------------------

    @Test
    void pingIsAnsweredWithAPongCarryingTheSamePayload() {
        EmbeddedChannel channel = channel();
        ByteBuf payload = tracked("are you there?");

        assertThat(channel.writeInbound(new PingWebSocketFrame(payload))).as("ping passed on").isFalse();

        PongWebSocketFrame pong = channel.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("are you there?");
        pong.release();
        assertThat(payload.refCnt()).as("the ping's payload travels in the pong, released once").isZero();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pongIsConsumedAndReleased() {
        EmbeddedChannel channel = channel();
        PongWebSocketFrame pong = new PongWebSocketFrame(tracked("late pong"));

        assertThat(channel.writeInbound(pong)).isFalse();

        assertThat(pong.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    // ---- data frames ------------------------------------------------------------------------------

    @Test
    void textFramesArePassedOnUntouched() {
        EmbeddedChannel channel = channel();
        TextWebSocketFrame frame = textFrame("{\"name\":\"Event.GetUnreadInfo\"}");

        assertThat(channel.writeInbound(frame)).isTrue();

        TextWebSocketFrame passed = channel.readInbound();
        assertThat(passed).isSameAs(frame);
        assertThat(passed.refCnt()).isEqualTo(1);
        passed.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void binaryFrameIsRefusedWith1003AndTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(tracked(new byte[] {1, 2, 3}));

        assertThat(channel.writeInbound(binary)).isFalse();

        assertThat(binary.refCnt()).isZero();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1003);
        assertThat(close.reasonText()).contains("binary");
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1003)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    // ---- close handshake --------------------------------------------------------------------------

    @Test
    void clientCloseIsEchoedWithItsStatusCodeButNotItsReasonThenTheConnectionCloses() {
        EmbeddedChannel channel = channel();
        CloseWebSocketFrame close = new CloseWebSocketFrame(1001, "tab closed");

        assertThat(channel.writeInbound(close)).isFalse();

        assertThat(close.refCnt()).isZero();
        CloseWebSocketFrame echo = channel.readOutbound();
        assertThat(echo.statusCode()).isEqualTo(1001);
        assertThat(echo.reasonText()).isEmpty();
        echo.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(registry.find("parley.protocol.closes").counters())
                .as("a close the client started is not a server close").isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientCloseWithoutStatusIsEchoedWithoutStatus() {
        EmbeddedChannel channel = channel();

        channel.writeInbound(new CloseWebSocketFrame());

        CloseWebSocketFrame echo = channel.readOutbound();
        assertThat(echo.statusCode()).isEqualTo(-1);
        assertThat(echo.content().readableBytes()).isZero();
        echo.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void framesAfterTheCloseHandshakeBeganAreDroppedAndReleased() {
        StalledPeer peer = new StalledPeer();
        EmbeddedChannel channel = new EmbeddedChannel(peer, new ControlFrameHandler(metrics, idleSweeps));

        // The server starts the closing handshake; the peer has not taken the close frame yet.
        channel.writeInbound(new BinaryWebSocketFrame(tracked(new byte[] {0})));
        assertThat(peer.held).hasSize(1);
        assertThat(((CloseWebSocketFrame) peer.held.get(0)).statusCode()).isEqualTo(1003);
        assertThat(channel.isOpen()).as("open until the close frame is written").isTrue();

        TextWebSocketFrame text = textFrame("{\"name\":\"Event.GetUnreadInfo\"}");
        ContinuationWebSocketFrame continuation = new ContinuationWebSocketFrame(tracked("more"));
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(tracked(new byte[] {1}));
        assertThat(channel.writeInbound(text, continuation, binary)).as("nothing passed on while closing").isFalse();
        assertThat(text.refCnt()).isZero();
        assertThat(continuation.refCnt()).isZero();
        assertThat(binary.refCnt()).isZero();
        assertThat(peer.held).as("no second close frame").hasSize(1);
        assertThat(closes(1003)).isEqualTo(1);

        // The client's answering close ends the connection at once.
        CloseWebSocketFrame answer = new CloseWebSocketFrame(1003, "");
        channel.writeInbound(answer);
        assertThat(answer.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
        assertThat(peer.held).as("the unsent close frame was released when the connection closed").isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pushesGoOutFromTheEncodersPlaceUntilTheCloseHandshakeStarts() {
        List<Object> encoderSaw = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast("wsencoder", new RecordingEncoder(encoderSaw));
        channel.pipeline().addLast(new ControlFrameHandler(metrics, idleSweeps));
        ControlFrameHandler control = channel.pipeline().get(ControlFrameHandler.class);
        ByteBuf before = tracked("wire bytes 1");

        control.push(before);

        assertThat((Object) channel.readOutbound()).isSameAs(before);
        assertThat(encoderSaw).as("ready-made bytes skip the encoder").isEmpty();
        before.release();

        channel.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE);
        ByteBuf after = tracked("wire bytes 2");
        control.push(after);

        assertThat((Object) channel.readOutbound()).as("nothing once closing").isNull();
        assertThat(after.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    /** Stands where Netty's frame encoder stands, recording what reaches it. */
    private static final class RecordingEncoder extends ChannelOutboundHandlerAdapter
            implements io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder {
        private final List<Object> saw;

        RecordingEncoder(List<Object> saw) {
            this.saw = saw;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            saw.add(msg);
            ctx.write(msg, promise);
        }
    }

    @Test
    void afterACloseStartedElsewhereOnlyTheCloseFrameIsWrittenAndLaterRepliesAreDropped() {
        EmbeddedChannel channel = channel();
        TextWebSocketFrame queuedBefore = textFrame("{\"reply\":1}");
        channel.writeAndFlush(queuedBefore);

        // The drain (or the slow-consumer policy) starts the closing handshake from outside the pipeline.
        channel.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE);
        channel.writeAndFlush(new CloseWebSocketFrame(1001, "node shutting down"));
        TextWebSocketFrame voidPromised = textFrame("{\"reply\":2}");
        channel.writeAndFlush(voidPromised, channel.voidPromise());
        TextWebSocketFrame promised = textFrame("{\"reply\":3}");
        ChannelFuture write = channel.writeAndFlush(promised);

        TextWebSocketFrame first = channel.readOutbound();
        assertThat(first).isSameAs(queuedBefore);
        first.release();
        assertThat(readCloseCode(channel)).isEqualTo(1001);
        assertThat((Object) channel.readOutbound()).as("nothing after the close frame").isNull();
        assertThat(voidPromised.refCnt()).isZero();
        assertThat(promised.refCnt()).isZero();
        assertThat(write.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(channel.isOpen()).as("a dropped write does not reset the connection").isTrue();

        // Still waiting for the client's answer: no ping, and silence for the whole idle timeout closes.
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void serverCloseCompletesWhenTheCloseFrameIsWritten() {
        StalledPeer peer = new StalledPeer();
        EmbeddedChannel channel = new EmbeddedChannel(peer, new ControlFrameHandler(metrics, idleSweeps));
        channel.pipeline().fireExceptionCaught(new TooLongFrameException("too long"));
        assertThat(channel.isOpen()).isTrue();

        peer.resume();

        assertThat(readCloseCode(channel)).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    // ---- errors from the frame codec --------------------------------------------------------------

    @Test
    void tooLongFrameClosesWith1009() {
        EmbeddedChannel channel = channel();

        channel.pipeline().fireExceptionCaught(new TooLongFrameException("frame length exceeds 65536"));

        assertThat(readCloseCode(channel)).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1009)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void fragmentedMessageOverTheAggregatorLimitClosesWith1009() {
        // As in the pipeline: the frame aggregator reports an oversize message as TooLongFrameException.
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrameAggregator(16), new ControlFrameHandler(metrics, idleSweeps));
        TextWebSocketFrame first = new TextWebSocketFrame(false, 0, tracked("0123456789"));
        ContinuationWebSocketFrame last = new ContinuationWebSocketFrame(true, 0, tracked("0123456789"));

        assertThat(channel.writeInbound(first, last)).isFalse();

        assertThat(first.refCnt()).isZero();
        assertThat(last.refCnt()).isZero();
        assertThat(readCloseCode(channel)).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1009)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void corruptFrameIsCountedWithItsCodeAndLaterFramesAreDropped() {
        EmbeddedChannel channel = channel();

        channel.pipeline().fireExceptionCaught(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bad UTF-8"));

        assertThat((Object) channel.readOutbound()).as("the decoder already sent the close frame").isNull();
        assertThat(closes(1007)).isEqualTo(1);
        TextWebSocketFrame late = textFrame("{}");
        assertThat(channel.writeInbound(late)).isFalse();
        assertThat(late.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void invalidUtf8ThroughTheRealValidatorClosesWith1007Once() {
        EmbeddedChannel channel = new EmbeddedChannel(new Utf8FrameValidator(true), new ControlFrameHandler(metrics, idleSweeps));
        TextWebSocketFrame invalid = new TextWebSocketFrame(tracked(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));

        assertThat(channel.writeInbound(invalid)).isFalse();

        assertThat(invalid.refCnt()).isZero();
        assertThat(readCloseCode(channel)).isEqualTo(1007);
        assertThat((Object) channel.readOutbound()).as("one close frame only").isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1007)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unexpectedErrorClosesWith1011() {
        EmbeddedChannel channel = channel();

        channel.pipeline().fireExceptionCaught(new IllegalStateException("test: unexpected failure"));

        assertThat(readCloseCode(channel)).isEqualTo(1011);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1011)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    // ---- idle connections -------------------------------------------------------------------------

    @Test
    void firstIdleEventPingsSecondClosesWith1001() {
        EmbeddedChannel channel = channel();

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        PingWebSocketFrame ping = channel.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
        assertThat(channel.isOpen()).isTrue();

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        assertThat(readCloseCode(channel)).isEqualTo(1001);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1001)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withTheLoopsIdleSweepAPongKeepsTheConnectionAndSilenceClosesIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new ControlFrameHandler(metrics, idleSweeps)); // idle timeout 1 s

        channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        PingWebSocketFrame first = channel.readOutbound();
        assertThat(first).as("ping after half the idle timeout").isNotNull();
        first.release();

        channel.writeInbound(new PongWebSocketFrame(tracked("")));
        channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        PingWebSocketFrame second = channel.readOutbound();
        assertThat(second).as("the pong reset the time: ping again, no close").isNotNull();
        second.release();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        assertThat(readCloseCode(channel)).isEqualTo(1001);
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1001)).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theSweepWatchesEveryConnectionOfItsLoopAndEndsWithTheLast() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        ControlFrameHandler quiet = new ControlFrameHandler(metrics, idleSweeps);
        ControlFrameHandler chatty = new ControlFrameHandler(metrics, idleSweeps);
        ControlFrameHandler leaving = new ControlFrameHandler(metrics, idleSweeps);
        channel.pipeline().addLast(quiet, chatty, leaving);
        assertThat(List.of(quiet.sweepIndex, chatty.sweepIndex, leaving.sweepIndex)).containsExactly(0, 1, 2);

        channel.pipeline().remove(quiet); // the last one takes its place
        assertThat(List.of(quiet.sweepIndex, leaving.sweepIndex, chatty.sweepIndex)).containsExactly(-1, 0, 1);

        channel.pipeline().remove(leaving);
        channel.pipeline().remove(chatty);
        assertThat(chatty.sweepIndex).isEqualTo(-1);
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("no sweep left to ping anyone").isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void otherUserEventsArePassedOn() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new ControlFrameHandler(metrics, idleSweeps), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                seen.add(evt);
            }
        });
        Object event = new Object();

        channel.pipeline().fireUserEventTriggered(event);

        assertThat(seen).containsExactly(event);
        assertThat(channel.finish()).isFalse();
    }

    /** A peer that stops reading: writes are held (promises not completed) until {@link #resume()}. */
    static final class StalledPeer extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
            promises.add(promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // stalled: nothing goes out
        }

        void resume() {
            for (int i = 0; i < held.size(); i++) {
                ctx.write(held.get(i), promises.get(i));
            }
            held.clear();
            promises.clear();
            ctx.flush();
        }

        void releaseHeld() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
            promises.clear();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            releaseHeld();
        }
    }
}
