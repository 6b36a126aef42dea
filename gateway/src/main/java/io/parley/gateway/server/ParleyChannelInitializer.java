package io.parley.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.handshake.HandshakeDeadlineHandler;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.ChatFrameHandler;
import io.parley.gateway.websocket.ControlFrameHandler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.server.PipelineNames.*;

/** Builds every connection's pipeline; the order is documented in {@link PipelineNames}. */
final class ParleyChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Handshakes and REST bodies are small; anything bigger is refused with 413. */
    static final int MAX_HTTP_BODY_BYTES = 64 * 1024;

    private final HttpRouter router;
    private final WebSocketHandshakeHandler handshake;
    private final Duration handshakeTimeout;

    ParleyChannelInitializer(HttpRouter router, WebSocketHandshakeHandler handshake, Duration handshakeTimeout) {
        this.router = router;
        this.handshake = handshake;
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(HTTP_CODEC, new HttpServerCodec());
        p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
        p.addLast(HANDSHAKE_DEADLINE, new HandshakeDeadlineHandler(handshakeTimeout));
        p.addLast(HTTP_ROUTER, router);
        p.addLast(WS_HANDSHAKE, handshake);
    }

    /** The WebSocket phase: called by the handshake handler once the 101 is on its way. */
    static WebSocketHandshakeHandler.WebSocketInstaller webSocketPhase(ChatService chat, SessionRegistry sessions,
                                                                       GatewayMetrics metrics, int maxMessageBytes,
                                                                       Duration idleTimeout) {
        return (ChannelHandlerContext ctx, Session session) -> {
            ChannelPipeline p = ctx.pipeline();
            addFrameLayer(p, metrics, maxMessageBytes, idleTimeout);
            p.addLast(CHAT, new ChatFrameHandler(session, chat, sessions, metrics));
            removeHttpPhase(ctx);
        };
    }

    /**
     * The dialect-independent RFC 6455 layer behind Netty's frame codec: UTF-8, fragments, idle,
     * control frames. Shared with the conformance (Autobahn) server so that it tests this code.
     */
    static void addFrameLayer(ChannelPipeline p, GatewayMetrics metrics, int maxMessageBytes, Duration idleTimeout) {
        p.addLast(UTF8_VALIDATOR, new Utf8FrameValidator(true));
        p.addLast(FRAME_AGGREGATOR, new WebSocketFrameAggregator(maxMessageBytes));
        p.addLast(IDLE, new IdleStateHandler(idleTimeout.toMillis() / 2, 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(CONTROL, new ControlFrameHandler(metrics));
    }

    /** The HTTP-phase handlers still present after the upgrade; the handshake handler goes last. */
    static void removeHttpPhase(ChannelHandlerContext handshakeContext) {
        ChannelPipeline p = handshakeContext.pipeline();
        p.remove(HANDSHAKE_DEADLINE);
        p.remove(HTTP_ROUTER);
        p.remove(handshakeContext.handler());
    }
}
