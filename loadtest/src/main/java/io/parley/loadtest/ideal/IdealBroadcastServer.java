package io.parley.loadtest.ideal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.parley.loadtest.client.Transports;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ideal broadcast baseline of DESIGN.md: the least a Netty WebSocket server can do to fan a
 * message out. Every socket joins the room of its request path ({@code /} for one big room,
 * {@code /pair/7} for a pair); a text frame from any socket goes to every other socket of its
 * room. The outgoing WebSocket frame (header + payload) is encoded <b>once</b> into one buffer,
 * and each event loop writes {@code retainedDuplicate()} of it to its own channels, then flushes
 * each once per batch of frames (no cross-thread write per channel, no write syscall per frame
 * under load). No auth, no JSON, no storage: the ceiling Parley is measured against, with the
 * same clients on the same machine, on the same transport as Parley (epoll on Linux).
 *
 * <p>Run: {@code java -cp <loadtest classpath> io.parley.loadtest.ideal.IdealBroadcastServer <port>}
 * (the benchmark runner starts it in a JVM of its own). Prints {@code listening <port>} when ready.
 */
public final class IdealBroadcastServer implements AutoCloseable {

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, Transports.ioHandler());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, Transports.ioHandler());
    /** Rooms by request path, each split by event loop: a loop's part is only touched by that loop. */
    private final Map<String, Map<EventLoop, LoopRoom>> rooms = new ConcurrentHashMap<>();
    private static final AttributeKey<Map<EventLoop, LoopRoom>> ROOM = AttributeKey.valueOf("room");
    private final Channel server;

    public IdealBroadcastServer(String host, int port) throws InterruptedException {
        Broadcast broadcast = new Broadcast();
        server = new ServerBootstrap().group(boss, workers).channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new WebSocketServerProtocolHandler("/", null, false, 65536, false, true),
                                broadcast);
                    }
                }).bind(host, port).sync().channel();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        try (IdealBroadcastServer server = new IdealBroadcastServer("127.0.0.1", port)) {
            System.out.println("listening " + port);
            System.out.flush();
            // Runs until its parent closes our stdin (or dies): never outlives the benchmark.
            while (System.in.read() >= 0) {
                // ignore input
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        boss.shutdownGracefully();
        workers.shutdownGracefully().syncUninterruptibly();
    }

    /**
     * One event loop's channels and the frames waiting to go to them. Frames that arrive while a
     * drain is pending join it, and the drain flushes each channel once: under load a channel gets
     * many frames per write system call, as any server that batches its flushes does.
     */
    private static final class LoopRoom {
        private final List<Channel> channels = new ArrayList<>(); // touched by its own loop only
        private final Queue<Outgoing> pending = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private final EventLoop loop;
        private final List<Outgoing> batch = new ArrayList<>();

        LoopRoom(EventLoop loop) {
            this.loop = loop;
        }

        /** Takes over one reference of {@code frame}. */
        void submit(Outgoing frame) {
            pending.add(frame);
            if (drainScheduled.compareAndSet(false, true)) {
                loop.execute(this::drain);
            }
        }

        private void drain() {
            drainScheduled.set(false); // before polling: a frame added after the last poll schedules a new drain
            for (Outgoing frame; (frame = pending.poll()) != null; ) {
                batch.add(frame);
            }
            try {
                for (Channel ch : channels) {
                    boolean wrote = false;
                    for (Outgoing frame : batch) {
                        if (ch != frame.sender()) {
                            // A ByteBuf passes the WebSocket encoder untouched: the bytes go out as they are.
                            ch.write(frame.encoded().retainedDuplicate(), ch.voidPromise());
                            wrote = true;
                        }
                    }
                    if (wrote) {
                        ch.flush();
                    }
                }
            } finally {
                batch.forEach(frame -> frame.encoded().release());
                batch.clear();
            }
        }
    }

    /** An encoded frame and the channel it came from (which does not get it back). */
    private record Outgoing(ByteBuf encoded, Channel sender) {
    }

    @ChannelHandler.Sharable
    private final class Broadcast extends SimpleChannelInboundHandler<TextWebSocketFrame> {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                Channel ch = ctx.channel();
                Map<EventLoop, LoopRoom> byLoop = rooms.computeIfAbsent(handshake.requestUri(), path -> new ConcurrentHashMap<>());
                ch.attr(ROOM).set(byLoop);
                LoopRoom room = byLoop.computeIfAbsent(ch.eventLoop(), LoopRoom::new);
                room.channels.add(ch);
                ch.closeFuture().addListener(f -> room.channels.remove(ch)); // runs on the same loop
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ByteBuf encoded = encodeOnce(ctx, frame.content());
            try {
                for (LoopRoom room : ctx.channel().attr(ROOM).get().values()) {
                    room.submit(new Outgoing(encoded.retain(), ctx.channel()));
                }
            } finally {
                encoded.release();
            }
        }

        /** An unmasked, final text frame (RFC 6455 section 5.2) holding {@code payload}. */
        private ByteBuf encodeOnce(ChannelHandlerContext ctx, ByteBuf payload) {
            int length = payload.readableBytes();
            ByteBuf out = ctx.alloc().directBuffer(length + 10);
            out.writeByte(0x81); // FIN + text
            if (length < 126) {
                out.writeByte(length);
            } else if (length < 65536) {
                out.writeByte(126).writeShort(length);
            } else {
                out.writeByte(127).writeLong(length);
            }
            return out.writeBytes(payload, payload.readerIndex(), length);
        }
    }
}
