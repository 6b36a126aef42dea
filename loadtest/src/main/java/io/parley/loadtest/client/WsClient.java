package io.parley.loadtest.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lean WebSocket client for load: one Netty event loop group reads every socket (no thread per
 * socket), frames reach a {@link Listener} on the event loop as bytes (no String per frame), so
 * one client process holds thousands of sockets and is not the bottleneck it measures.
 */
public final class WsClient implements AutoCloseable {

    /** Receives a connection's text frames on its event loop; must not block. */
    @FunctionalInterface
    public interface Listener {
        /** {@code payload} is only valid during the call; {@code nanos} is {@link System#nanoTime()} at arrival. */
        void onText(WsConnection connection, ByteBuf payload, long nanos);

        default void onClosed(WsConnection connection) {
        }
    }

    /** Largest frame a load client accepts; Parley's own default limit is 64 KiB. */
    private static final int MAX_FRAME_BYTES = 1 << 20;
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    /** @param threads event loop threads (0: Netty's default, twice the cores) */
    public WsClient(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, Transports.ioHandler());
        this.bootstrap = new Bootstrap().group(group).channel(Transports.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, HANDSHAKE_TIMEOUT_MILLIS);
    }

    /**
     * Opens a WebSocket; completes when the upgrade succeeded (fails on refusal, e.g. 401).
     *
     * @param localAddress source address to bind (127.0.0.x spreads ephemeral ports), or null
     * @param bearer       JWT sent as {@code Authorization: Bearer}, or null (dialect {@code pair})
     */
    public CompletableFuture<WsConnection> connect(URI uri, InetAddress localAddress, String bearer, Listener listener) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (bearer != null) {
            headers.set("Authorization", "Bearer " + bearer);
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(headers)
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
                .dropPongFrames(true)
                .build();
        CompletableFuture<WsConnection> opened = new CompletableFuture<>();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                WsConnection connection = new WsConnection(ch);
                ch.pipeline().addLast(
                        new HttpClientCodec(),
                        new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(config), // answers pings, handles close
                        new WebSocketFrameAggregator(MAX_FRAME_BYTES),
                        new Inbound(connection, listener, opened));
            }
        });
        InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
        (localAddress == null ? b.connect(remote) : b.connect(remote, new InetSocketAddress(localAddress, 0)))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        opened.completeExceptionally(f.cause());
                    }
                });
        return opened;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Last handler: completes the handshake future, then hands each text frame to the listener. */
    private static final class Inbound extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final WsConnection connection;
        private final Listener listener;
        private final CompletableFuture<WsConnection> opened;

        Inbound(WsConnection connection, Listener listener, CompletableFuture<WsConnection> opened) {
            this.connection = connection;
            this.listener = listener;
            this.opened = opened;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                opened.complete(connection);
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                opened.completeExceptionally(new IllegalStateException("handshake timed out"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            listener.onText(connection, frame.content(), System.nanoTime());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            opened.completeExceptionally(new IllegalStateException("closed before the upgrade completed"));
            listener.onClosed(connection);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            opened.completeExceptionally(cause); // e.g. 401: "Invalid handshake response"
            ctx.close();
        }
    }
}
