package io.parley.gateway.connection;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.support.EmbeddedChannels.tracked;
import static org.assertj.core.api.Assertions.assertThat;

/** The slowloris guard, on the embedded event loop's frozen clock. */
@ExtendWith(LeakDetectionExtension.class)
class HandshakeDeadlineHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final GatewayMetrics METRICS = new GatewayMetrics(new SimpleMeterRegistry());

    /** A channel with frozen time, then the handlers (so every deadline is measured from time 0). */
    private static EmbeddedChannel channel(ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(handlers);
        return channel;
    }

    private static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    private static FullHttpRequest fullRequest() {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/health", tracked(""));
    }

    @Test
    void closesAConnectionThatSendsNoCompleteRequestInTime() {
        EmbeddedChannel channel = channel(new HandshakeDeadlineHandler(TIMEOUT, METRICS));

        advance(channel, TIMEOUT.toMillis() - 1);
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void eachCompleteRequestGetsAFreshDeadline() {
        EmbeddedChannel channel = channel(new HandshakeDeadlineHandler(TIMEOUT, METRICS));

        advance(channel, 8_000);
        FullHttpRequest request = fullRequest();
        assertThat(channel.writeInbound(request)).isTrue();
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).as("requests travel on").isSameAs(request);
        passed.release();

        advance(channel, 8_000); // 16 s after connecting, 8 s after the request
        assertThat(channel.isOpen()).as("re-armed by the request").isTrue();

        advance(channel, 2_000);
        assertThat(channel.isOpen()).as("closed 10 s after the last complete request").isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aBodyThatKeepsComingExtendsTheDeadlinePieceByPiece() {
        EmbeddedChannel channel = channel(new HandshakeDeadlineHandler(TIMEOUT, METRICS));
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chats/c/attachments"));
        for (int piece = 0; piece < 5; piece++) {
            advance(channel, 8_000);
            channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        }
        assertThat(channel.isOpen()).as("40 s of an upload that keeps sending").isTrue();
        advance(channel, 10_000);
        assertThat(channel.isOpen()).as("closed once the body stalls").isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void requestHeadersAloneDoNotExtendTheDeadline() {
        EmbeddedChannel channel = channel(new HandshakeDeadlineHandler(TIMEOUT, METRICS));

        advance(channel, 8_000);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws");
        channel.writeInbound(head);
        assertThat((Object) channel.readInbound()).isSameAs(head);

        advance(channel, 2_000);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void slowlorisDribblingHeaderBytesThroughTheHttpCodecIsCutOff() {
        List<Object> requests = new ArrayList<>();
        EmbeddedChannel channel = channel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new HandshakeDeadlineHandler(TIMEOUT, METRICS), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        requests.add(msg);
                        ReferenceCountUtil.release(msg); // only its decoder result is looked at
                    }
                });

        String request = RawHttp.request("GET", "/ws?sid=1", "Upgrade: websocket", "Connection: Upgrade");
        for (int i = 0; i < request.length() - 1 && channel.isOpen(); i += 4) {
            channel.writeInbound(tracked(request.substring(i, Math.min(i + 4, request.length() - 1))));
            advance(channel, 1_000);
        }

        assertThat(channel.isOpen()).as("a request that never completes ends with the deadline").isFalse();
        // On close the decoder hands on what it had, marked as a failed decode; nothing decoded successfully.
        assertThat(requests).allSatisfy(r -> assertThat(((FullHttpRequest) r).decoderResult().isFailure()).isTrue());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void completeRequestThroughTheHttpCodecReArmsTheDeadline() {
        List<Object> requests = new ArrayList<>();
        EmbeddedChannel channel = channel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new HandshakeDeadlineHandler(TIMEOUT, METRICS), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        requests.add(msg.getClass().getSimpleName());
                        ReferenceCountUtil.release(msg);
                    }
                });

        advance(channel, 9_000);
        RawHttp.send(channel, RawHttp.request("GET", "/health"));
        assertThat(requests).hasSize(1);

        advance(channel, 9_000);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1_000);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void removingTheHandlerDisarmsTheDeadline() {
        HandshakeDeadlineHandler handler = new HandshakeDeadlineHandler(TIMEOUT, METRICS);
        EmbeddedChannel channel = channel(handler);

        channel.pipeline().remove(handler);

        advance(channel, 10 * TIMEOUT.toMillis());
        assertThat(channel.isOpen()).as("the WebSocket idle timeout takes over after the upgrade").isTrue();
        assertThat(channel.runScheduledPendingTasks()).as("no task left scheduled").isEqualTo(-1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closingDisarmsTheDeadlineAndPassesChannelInactiveOn() {
        List<String> events = new ArrayList<>();
        EmbeddedChannel channel = channel(new HandshakeDeadlineHandler(TIMEOUT, METRICS), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                events.add("inactive");
            }
        });

        channel.close();

        assertThat(events).containsExactly("inactive");
        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void armsWhenTheChannelBecomesActive() throws Exception {
        EmbeddedChannel channel = EmbeddedChannel.builder().register(false).build();
        List<String> events = new ArrayList<>();
        channel.pipeline().addLast(new HandshakeDeadlineHandler(TIMEOUT, METRICS), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                events.add("active");
            }
        });
        assertThat(channel.isActive()).isFalse();

        channel.register();
        channel.freezeTime(); // only possible once registered: margins below absorb the real time in between
        assertThat(events).as("channelActive passed on").containsExactly("active");

        advance(channel, TIMEOUT.toMillis() - 1_000);
        assertThat(channel.isOpen()).isTrue();
        advance(channel, 1_000);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
