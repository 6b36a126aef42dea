package io.parley.gateway.webhook;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * POSTs one event body to the receiver over HTTP/1.1 with keep-alive connections, on Netty: one
 * I/O thread of its own ({@code parley-webhook-io}), never a chat event loop; at most
 * {@code webhook_concurrency} connections, reused while the receiver keeps them open. How many
 * requests are in flight is the dispatcher's to bound (never more than the connections).
 * Redirects are not followed.
 *
 * <p>Why not the JDK's HttpClient: measured at 1,000 events/s, its per-request CPU cost was most
 * of what webhooks cost the node; this path does one write and one read per event.
 */
public final class WebhookSender implements AutoCloseable {
    static final String EVENT_ID_HEADER = "Parley-Event-Id";

    private final WebhookOptions options;
    private final WebhookSignature signature;
    private final Clock clock;
    private final EventLoopGroup group;
    private final FixedChannelPool pool;
    private final String host;
    private final String target;

    public WebhookSender(WebhookOptions options, Clock clock) {
        this.options = options;
        this.signature = new WebhookSignature(options.secret());
        this.clock = clock;
        URI url = options.url();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        this.host = url.getPort() > 0 ? url.getHost() + ":" + url.getPort() : url.getHost();
        this.target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        SslContext ssl = tls ? clientTls() : null;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("parley-webhook-io", true),
                NioIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .remoteAddress(url.getHost(), port)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true);
        this.pool = new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel channel) {
                if (ssl != null) {
                    channel.pipeline().addLast(ssl.newHandler(channel.alloc(), url.getHost(), port));
                }
                channel.pipeline().addLast(new HttpClientCodec(), new Answer());
            }
        }, ChannelHealthChecker.ACTIVE, FixedChannelPool.AcquireTimeoutAction.FAIL, options.timeout().toMillis(),
                options.concurrency(), options.concurrency());
    }

    private static SslContext clientTls() {
        try {
            return SslContextBuilder.forClient().build();
        } catch (SSLException e) {
            throw new UncheckedIOException("webhooks: cannot set up TLS", e);
        }
    }

    /** Sends the event; the future never fails, it tells how the attempt ended. */
    public CompletableFuture<Attempt> post(long eventId, byte[] body) {
        CompletableFuture<Attempt> result = new CompletableFuture<>();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target,
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(EVENT_ID_HEADER, Long.toString(eventId))
                .set(WebhookSignature.HEADER, signature.header(clock.instant().getEpochSecond(), body));
        try {
            pool.acquire().addListener((Future<Channel> acquired) -> {
                if (!acquired.isSuccess()) {
                    request.release();
                    result.complete(new Attempt(Attempt.CONNECTION, acquired.cause().toString()));
                    return;
                }
                send(acquired.getNow(), request, result);
            });
        } catch (RuntimeException e) { // the group is shut down: the attempt did not happen
            request.release();
            result.complete(new Attempt(Attempt.CONNECTION, e.toString()));
        }
        return result;
    }

    /** On the connection's thread: one request, its answer or its timeout, then the connection goes back. */
    private void send(Channel channel, FullHttpRequest request, CompletableFuture<Attempt> result) {
        Answer answer = channel.pipeline().get(Answer.class);
        answer.expect(result);
        var timeout = channel.eventLoop().schedule(() -> answer.end(
                new Attempt(Attempt.TIMEOUT, "no answer within " + options.timeout()), false),
                options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((attempt, ignored) -> timeout.cancel(false));
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                answer.end(new Attempt(Attempt.CONNECTION, written.cause().toString()), false);
            }
        });
    }

    /**
     * The connection's one request at a time: completes it with the answer's status, or with the
     * failure that ended the connection, and gives the connection back to the pool (closed unless
     * the receiver keeps it alive).
     */
    private final class Answer extends SimpleChannelInboundHandler<HttpObject> {
        private ChannelHandlerContext ctx;
        private CompletableFuture<Attempt> pending;
        private Attempt status;
        private boolean keepAlive;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void expect(CompletableFuture<Attempt> result) {
            pending = result;
            status = null;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse response) {
                int code = response.status().code();
                status = code >= 200 && code < 300 ? Attempt.DELIVERED : new Attempt(Attempt.STATUS, "HTTP " + code);
                keepAlive = HttpUtil.isKeepAlive(response);
            }
            if (message instanceof LastHttpContent && status != null) {
                end(status, keepAlive);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(new Attempt(Attempt.CONNECTION, "connection closed before an answer"), false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(new Attempt(Attempt.CONNECTION, cause.toString()), false);
        }

        /** Ends the pending request once; on the connection's thread. */
        void end(Attempt attempt, boolean reusable) {
            CompletableFuture<Attempt> result = pending;
            if (result == null) {
                return;
            }
            pending = null;
            if (!reusable) {
                ctx.channel().close();
            }
            pool.release(ctx.channel());
            result.complete(attempt);
        }
    }

    /** Closes the connections and the I/O thread; a request still in flight ends as it may (its claim lapses). */
    @Override
    public void close() {
        pool.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
