package io.parley.gateway.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.parley.gateway.handshake.HandshakeDeadlineHandler;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.http.HttpRouter;

import java.time.Duration;

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
}
