package io.parley.loadtest.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A lean WebSocket client for load: one Netty event loop group reads every socket (no thread per
 * socket), and each socket's frames reach a {@link Listener} on its event loop as the bytes read
 * ({@link LoadClientHandler}: no frame object, no copy, no String per frame), so one client process
 * holds thousands of sockets and is not the bottleneck it measures.
 */
public final class LoadClient implements AutoCloseable {

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
    public LoadClient(int threads) {
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
        CompletableFuture<WsConnection> opened = new CompletableFuture<>();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new WebSocket08FrameEncoder(true), // masks, as a client must
                        new LoadClientHandler(uri, bearer, MAX_FRAME_BYTES, HANDSHAKE_TIMEOUT_MILLIS, listener, opened));
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
}
