package io.parley.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.handshake.HandshakeDeadlineHandler;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.gateway.websocket.IdleSweeps;

import static io.parley.gateway.server.PipelineNames.*;

/** Builds every connection's pipeline; the order is documented in {@link PipelineNames}. */
final class ParleyChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Handshakes and REST bodies are small; anything bigger is refused with 413. */
    static final int MAX_HTTP_BODY_BYTES = 64 * 1024;
    /** Request line (with the query) and all headers: room for an 8 KiB token; above, 414 / 431. */
    static final int MAX_HTTP_LINE_BYTES = 8 * 1024;
    static final int MAX_HTTP_HEADER_BYTES = 16 * 1024;

    private final ParleyConfig config;
    private final SslContext tls;
    private final ConnectionLimits limits;
    private final GatewayMetrics metrics;
    private final HttpRouter router;
    private final WebSocketHandshakeHandler handshake;

    /** @param tls the server's TLS context, or {@code null} for plain ws/http */
    ParleyChannelInitializer(ParleyConfig config, SslContext tls, ConnectionLimits limits, GatewayMetrics metrics,
                             HttpRouter router, WebSocketHandshakeHandler handshake) {
        this.config = config;
        this.tls = tls;
        this.limits = limits;
        this.metrics = metrics;
        this.router = router;
        this.handshake = handshake;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // Admission before any handler or buffer exists: one address cannot take every descriptor.
        if (!limits.admitAddress(ch)) {
            ch.close();
            return;
        }
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast(TLS, tls.newHandler(ch.alloc()));
        }
        p.addLast(HTTP_CODEC, new HttpServerCodec(MAX_HTTP_LINE_BYTES, MAX_HTTP_HEADER_BYTES, 8192));
        p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
        if (config.permessageDeflate()) {
            p.addLast(WS_EXTENSIONS, Compression.extensionHandler(config.maxFrameBytes()));
        }
        p.addLast(HANDSHAKE_DEADLINE, new HandshakeDeadlineHandler(config.handshakeTimeout(), metrics));
        p.addLast(HTTP_ROUTER, router);
        p.addLast(WS_HANDSHAKE, handshake);
    }

    /**
     * The dialect-independent RFC 6455 layer behind Netty's frame codec: UTF-8, fragments, idle,
     * control frames. Shared with the conformance (Autobahn) server so that it tests this code.
     */
    static void addFrameLayer(ChannelPipeline p, GatewayMetrics metrics, int maxMessageBytes, IdleSweeps idleSweeps) {
        p.addLast(UTF8_VALIDATOR, new Utf8FrameValidator(true));
        p.addLast(FRAME_AGGREGATOR, new WebSocketFrameAggregator(maxMessageBytes));
        p.addLast(CONTROL, new ControlFrameHandler(metrics, idleSweeps));
    }

    /** The HTTP-phase handlers still present after the upgrade; the handshake handler goes last. */
    static void removeHttpPhase(ChannelHandlerContext handshakeContext) {
        ChannelPipeline p = handshakeContext.pipeline();
        p.remove(HANDSHAKE_DEADLINE);
        p.remove(HTTP_ROUTER);
        p.remove(handshakeContext.handler());
    }
}
