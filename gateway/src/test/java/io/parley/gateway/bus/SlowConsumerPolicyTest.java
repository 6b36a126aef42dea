package io.parley.gateway.bus;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.gateway.websocket.IdleSweeps;
import io.parley.protocol.events.EventsCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.support.EmbeddedChannels.count;
import static io.parley.gateway.support.EmbeddedChannels.outbound;
import static io.parley.gateway.support.EmbeddedChannels.releaseAll;
import static io.parley.gateway.support.EmbeddedChannels.textFrame;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection over its outbound limit is closed with 4008. Unwritable for real: a tiny write
 * buffer water mark and a frame written without flush, so {@code ChannelOutboundBuffer} holds more
 * than the high mark and the channel reports {@code isWritable() == false}.
 */
@ExtendWith(LeakDetectionExtension.class)
class SlowConsumerPolicyTest {
    private SimpleMeterRegistry registry;
    private SlowConsumerPolicy policy;

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        policy = new SlowConsumerPolicy(new GatewayMetrics(registry));
    }

    private static Session session(EmbeddedChannel channel) {
        channel.freezeTime();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        return new Session(new Principal("2", false), new EventsCodec(), channel);
    }

    /** Queues a frame bigger than the high water mark without flushing it: the channel turns unwritable. */
    private static TextWebSocketFrame fillOutboundBuffer(EmbeddedChannel channel) {
        TextWebSocketFrame backlog = textFrame("x".repeat(64));
        channel.write(backlog);
        assertThat(channel.isWritable()).isFalse();
        return backlog;
    }

    private double slowConsumersClosed() {
        return count(registry, "parley.slow.consumers.closed", "dialect", "events");
    }

    @Test
    void writableConnectionIsAdmitted() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = session(channel);

        assertThat(policy.admit(session)).isTrue();

        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(slowConsumersClosed()).isZero();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unwritableConnectionIsRefusedSentA4008CloseAndCutOffAfterTheGrace() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = session(channel);
        TextWebSocketFrame backlog = fillOutboundBuffer(channel);

        assertThat(policy.admit(session)).isFalse();
        assertThat(slowConsumersClosed()).isEqualTo(1);

        channel.runPendingTasks(); // the close frame is written on the connection's event loop
        List<Object> written = outbound(channel);
        assertThat(written).hasSize(2);
        assertThat(written.get(0)).as("what was buffered goes first").isSameAs(backlog);
        assertThat(written.get(1)).isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame close = (CloseWebSocketFrame) written.get(1);
        assertThat(close.statusCode()).isEqualTo(4008);
        assertThat(close.reasonText()).isEqualTo("slow consumer");
        releaseAll(written);

        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("the reader gets a moment to take the close frame").isTrue();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aConnectionAlreadyBeingClosedIsRefusedWithoutASecondCloseOrCount() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = session(channel);
        fillOutboundBuffer(channel);

        assertThat(policy.admit(session)).isFalse();
        assertThat(policy.admit(session)).isFalse();
        assertThat(policy.admit(session)).isFalse();

        channel.runPendingTasks();
        List<Object> written = outbound(channel);
        assertThat(written).filteredOn(m -> m instanceof CloseWebSocketFrame).hasSize(1);
        releaseAll(written);
        assertThat(slowConsumersClosed()).isEqualTo(1);
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aReaderThatTakesNothingIsCutOffAndItsBufferedFramesAreReleased() {
        // A peer that reads nothing: flushes never reach the socket, everything stays in the outbound buffer.
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                // the socket takes nothing
            }
        });
        Session session = session(channel);
        TextWebSocketFrame backlog = fillOutboundBuffer(channel);

        assertThat(policy.admit(session)).isFalse();
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("not even the close frame got out").isNull();
        assertThat(backlog.refCnt()).isEqualTo(1);

        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(backlog.refCnt()).as("buffered frames are released when the connection is cut").isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aClosedConnectionIsSkippedNotCountedAsASlowConsumer() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Session session = session(channel);
        channel.close();

        assertThat(policy.admit(session)).isFalse();

        channel.runPendingTasks();
        assertThat(slowConsumersClosed()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientAnswerToThe4008CloseEndsTheConnectionWithoutASecondCloseFrame() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlFrameHandler(new GatewayMetrics(registry),
                new IdleSweeps(Duration.ofMinutes(1))));
        Session session = session(channel);
        fillOutboundBuffer(channel);
        assertThat(policy.admit(session)).isFalse();
        channel.runPendingTasks();
        releaseAll(outbound(channel)); // the backlog and the 4008 close

        channel.writeInbound(new CloseWebSocketFrame(4008, "")); // the client answers the close

        List<Object> after = outbound(channel);
        long secondCloses = after.stream().filter(m -> m instanceof CloseWebSocketFrame).count();
        releaseAll(after);
        assertThat(secondCloses).as("close frames sent after the client's answer").isZero();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
