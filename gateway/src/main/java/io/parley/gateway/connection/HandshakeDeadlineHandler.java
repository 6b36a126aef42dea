package io.parley.gateway.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.gateway.metrics.GatewayMetrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris guard for the HTTP phase: a request's headers must be complete within the handshake
 * timeout of connecting (or of the previous request's end), and each piece of its body within the
 * timeout of the piece before; otherwise the connection is closed. A long upload that keeps
 * sending lives; one that stalls, or headers dribbled byte by byte, do not. Removed
 * with the other HTTP handlers when the connection upgrades; the WebSocket idle timeout takes
 * over from there.
 */
public final class HandshakeDeadlineHandler extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private final GatewayMetrics metrics;
    private ScheduledFuture<?> deadline;

    public HandshakeDeadlineHandler(Duration timeout, GatewayMetrics metrics) {
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpContent) {
            arm(ctx); // body progress (or a whole request): the next piece gets a fresh deadline
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        deadline = ctx.executor().schedule(() -> {
            metrics.limitRejected("handshake_timeout");
            ctx.close();
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
