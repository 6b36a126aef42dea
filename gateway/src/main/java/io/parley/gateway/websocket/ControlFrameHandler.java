package io.parley.gateway.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import io.parley.gateway.logging.ConnectionMdc;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.CloseRequest;
import io.parley.gateway.session.PushPath;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.time.Instant;

/**
 * RFC 6455 housekeeping after the frame decoder: answers pings, echoes the client's close and
 * closes, refuses binary frames (1003), turns oversize messages into 1009, and keeps idle
 * connections honest (a ping after half the idle timeout, 1001 after the whole of it without a
 * byte from the client). Only text frames travel on. Once either side has sent its close frame,
 * nothing else is written (RFC 6455 section 5.5.1): replies and pushes still on their way are
 * dropped here. One instance per connection.
 */
public final class ControlFrameHandler extends ChannelDuplexHandler implements PushPath {
    private static final Logger log = LoggerFactory.getLogger(ControlFrameHandler.class);

    private final GatewayMetrics metrics;
    private final IdleSweeps idleSweeps;
    private boolean closing;
    // Event loop only, for the loop's idle sweep:
    private ChannelHandlerContext ctx;
    /** The frame encoder's place in the pipeline, found at the first push. */
    private ChannelHandlerContext encoder;
    private Ticker ticker;
    private long lastReadNanos;
    /** Idle reports since the last frame from the client: 1 after half the timeout, 2 after all of it. */
    private int idleReports;
    /** Place in the loop's sweep, -1 when not watched. */
    int sweepIndex = -1;
    /** When the credential that opened the connection ends, or {@code null}: see {@link #closeAt}. */
    private Deadline deadline;

    private record Deadline(long atNanos, Runnable lastWords) {
    }

    public ControlFrameHandler(GatewayMetrics metrics, IdleSweeps idleSweeps) {
        this.metrics = metrics;
        this.idleSweeps = idleSweeps;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ticker = IdleSweeps.tickerOf(ctx.executor());
        this.lastReadNanos = ticker.nanoTime();
        idleSweeps.watch(this, ctx.executor());
    }

    /**
     * Closes the connection with 4001 once {@code at} has passed, right after {@code lastWords}
     * (the dialect's error frame): a socket lives no longer than its credential. Checked by the
     * loop's idle sweep, so at most one sweep period late, and with no timer of its own; on the
     * connection's loop.
     */
    public void closeAt(Instant at, Runnable lastWords) {
        long fromNow = Duration.between(Instant.now(), at).toNanos();
        deadline = new Deadline(ticker.nanoTime() + Math.max(0, fromNow), lastWords);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        idleSweeps.unwatch(this, ctx.executor());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        idleSweeps.unwatch(this, ctx.executor());
        super.channelInactive(ctx);
    }

    /**
     * Called by the loop's sweep: reports idleness as Netty's reader-idle events (first after half
     * the timeout, again after the whole), to {@link #userEventTriggered}.
     */
    void checkIdle(long nowNanos, long halfNanos) {
        if (deadline != null && nowNanos - deadline.atNanos() >= 0) {
            Runnable lastWords = deadline.lastWords();
            deadline = null;
            lastWords.run();
            close(ctx, CloseCodes.TOKEN_EXPIRED, "token expired");
            return;
        }
        if (nowNanos - lastReadNanos >= halfNanos * (idleReports + 1)) {
            boolean first = idleReports == 0;
            idleReports++;
            userEventTriggered(ctx, first ? IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT
                    : IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = ticker.nanoTime();
        idleReports = 0;
        if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame pong) {
            pong.release(); // its arrival already reset the idle time
        } else if (msg instanceof CloseWebSocketFrame close) {
            answerClose(ctx, close);
        } else if (msg instanceof BinaryWebSocketFrame binary) {
            binary.release();
            close(ctx, CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text");
        } else if (closing) {
            ReferenceCountUtil.release(msg); // the close handshake has begun: read no more
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void answerClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (closing) {
            close.release();
            ctx.close();
            return;
        }
        closing = true;
        // Echo the status code (not the reason) as RFC 6455 section 5.5.1 asks, then close.
        int code = close.statusCode();
        CloseWebSocketFrame reply = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
        close.release();
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    /** Starts the closing handshake with the given status; the connection closes once it is sent. */
    private void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        metrics.protocolClose(status.code());
        if (log.isDebugEnabled()) {
            withMdc(ctx, () -> log.debug("closing {} with {}: {}", ctx.channel(), status.code(), reason));
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == CloseStarted.INSTANCE) {
            closing = true;
            return;
        }
        if (evt instanceof CloseRequest request) {
            close(ctx, request.status(), request.reason());
            return;
        }
        if (evt instanceof IdleStateEvent idle) {
            if (closing) {
                if (!idle.isFirst()) {
                    ctx.close(); // the client never answered our close frame
                }
                return;
            }
            if (idle.isFirst()) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            } else {
                metrics.limitRejected("idle_timeout");
                close(ctx, CloseCodes.GOING_AWAY, "idle timeout");
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Drops what would follow the close frame. A write that failed after the output was shut down
     * would otherwise surface as an error and close the socket at once; a client still sending
     * then hits the reset before it has read our close frame (the JDK client reports an error
     * instead of the 1001, so it never learns to reconnect and resume).
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closing && !(msg instanceof CloseWebSocketFrame)) {
            ReferenceCountUtil.release(msg);
            if (!promise.isVoid()) {
                promise.tryFailure(new ClosedChannelException());
            }
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * A push of ready-made wire bytes goes out from the frame encoder's place: the encoder would
     * only pass them on, and the read-only handlers between here and there have nothing to do.
     */
    @Override
    public void push(ByteBuf wireFrame) {
        if (closing) {
            wireFrame.release();
            return;
        }
        if (encoder == null) {
            encoder = ctx.pipeline().context(WebSocketFrameEncoder.class);
        }
        (encoder != null ? encoder : ctx).writeAndFlush(wireFrame, ctx.voidPromise());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The decoder or UTF-8 validator already sent the close frame with the right code.
            closing = true;
            metrics.protocolClose(corrupted.closeStatus().code());
            if (log.isDebugEnabled()) {
                withMdc(ctx, () -> log.debug("protocol violation on {}: {}", ctx.channel(), cause.getMessage()));
            }
        } else if (cause instanceof TooLongFrameException) {
            close(ctx, CloseCodes.MESSAGE_TOO_BIG, "message too big");
        } else if (cause instanceof DecompressionException) {
            // permessage-deflate: inflating past max_frame_bytes (a zip bomb), or corrupt data.
            if (log.isDebugEnabled()) {
                withMdc(ctx, () -> log.debug("bad compressed message on {}: {}", ctx.channel(), cause.getMessage()));
            }
            boolean tooBig = String.valueOf(cause.getMessage()).contains("maximum size");
            close(ctx, tooBig ? CloseCodes.MESSAGE_TOO_BIG : CloseCodes.INVALID_PAYLOAD,
                    tooBig ? "message too big" : "invalid compressed data");
        } else if (cause instanceof java.io.IOException) {
            // The peer went away (reset, or writes queued before we closed it, e.g. a slow consumer).
            if (log.isDebugEnabled()) {
                withMdc(ctx, () -> log.debug("connection lost on {}: {}", ctx.channel(), cause.toString()));
            }
            ctx.close();
        } else {
            withMdc(ctx, () -> log.warn("unexpected error on {}", ctx.channel(), cause));
            close(ctx, CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    /** Runs a log call with the connection's MDC, with the session's dialect and user once there is one. */
    private static void withMdc(ChannelHandlerContext ctx, Runnable logCall) {
        Session session = SessionOwner.find(ctx.pipeline());
        ConnectionMdc.run(ctx.channel(), session == null ? null : session.dialect(),
                session == null ? null : session.userId(), logCall);
    }
}
