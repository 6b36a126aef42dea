package io.parley.loadtest.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.parley.loadtest.client.Transports;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The least a webhook receiver can do, run by the runner itself: a Netty HTTP/1.1 server on
 * 127.0.0.1 (keep-alive, epoll), answering {@code 204} at once to every POST. Per request it reads the body, checks
 * the {@code Parley-Signature} (HMAC-SHA256 of {@code "t.body"}, docs/webhooks.md) and records the
 * event's id, type, {@code created_at} (the commit, as the node wrote it) and the receipt time
 * (this machine's clock, the node's too). Knows nothing of Parley's code: only the wire.
 *
 * <p>Not the JDK's {@code com.sun.net.httpserver}: driven by the JDK's HTTP client with 16 requests
 * in flight it answered about 300 requests/s on this machine (with or without TCP_NODELAY), where
 * the same client reached 700 against this server and a Netty client 5,000-47,000.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request: the event id, whether it is a {@code message.created}, commit and receipt in epoch microseconds. */
    record Delivery(long id, boolean message, long committedMicros, long receivedMicros) {
    }

    private static final byte[] TYPE = "\"type\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CREATED_AT = "\"created_at\":\"".getBytes(StandardCharsets.UTF_8);
    private static final String MESSAGE_CREATED = "message.created";

    private final EventLoopGroup group;
    private final Channel server;
    private final ThreadLocal<Mac> macs;
    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private final Set<Long> messageIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong badSignatures = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    /** @param threads event loop threads */
    WebhookReceiver(String secret, int threads) throws InterruptedException {
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        this.group = new MultiThreadIoEventLoopGroup(threads, Transports.ioHandler());
        this.server = new ServerBootstrap().group(group).channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        handle(request);
                                        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.NO_CONTENT);
                                        HttpUtil.setKeepAlive(answer, HttpUtil.isKeepAlive(request));
                                        ctx.writeAndFlush(answer);
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/hook");
    }

    private void handle(FullHttpRequest request) {
        byte[] body = ByteBufUtil.getBytes(request.content());
        Instant now = Instant.now();
        long received = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        requests.incrementAndGet();
        if (!signed(request.headers().get("Parley-Signature"), body)) {
            badSignatures.incrementAndGet();
        }
        String idHeader = request.headers().get("Parley-Event-Id");
        String type = field(body, TYPE);
        String createdAt = field(body, CREATED_AT); // the event's: it precedes data's in the body
        if (idHeader == null || type == null || createdAt == null) {
            malformed.incrementAndGet();
            return;
        }
        long id = Long.parseLong(idHeader);
        Instant committed = Instant.parse(createdAt);
        boolean message = MESSAGE_CREATED.equals(type);
        deliveries.add(new Delivery(id, message,
                committed.getEpochSecond() * 1_000_000 + committed.getNano() / 1_000, received));
        if (message) {
            messageIds.add(id);
        }
    }

    private boolean signed(String header, byte[] body) {
        if (header == null) {
            return false;
        }
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                t = part.substring(2);
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        if (t == null || v1 == null) {
            return false;
        }
        Mac mac = macs.get();
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.UTF_8))
                && Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) <= 300;
    }

    /** The string value after the first {@code "name":"} in the body. */
    private static String field(byte[] body, byte[] name) {
        outer:
        for (int i = 0; i + name.length <= body.length; i++) {
            for (int j = 0; j < name.length; j++) {
                if (body[i + j] != name[j]) {
                    continue outer;
                }
            }
            int from = i + name.length;
            for (int end = from; end < body.length; end++) {
                if (body[end] == '"') {
                    return new String(body, from, end - from, StandardCharsets.UTF_8);
                }
            }
            return null;
        }
        return null;
    }

    /** Forgets everything received so far (between phases and servers). */
    void reset() {
        deliveries.clear();
        messageIds.clear();
        requests.set(0);
        badSignatures.set(0);
        malformed.set(0);
    }

    Iterable<Delivery> deliveries() {
        return deliveries;
    }

    boolean receivedMessage(long id) {
        return messageIds.contains(id);
    }

    long requests() {
        return requests.get();
    }

    long badSignatures() {
        return badSignatures.get();
    }

    long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
