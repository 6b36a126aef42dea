package io.parley.gateway.connection;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.gateway.websocket.CloseStarted;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A socket lives no longer than the credential that opened it: at the token's {@code exp} (plus
 * {@code jwt_leeway}, the skew the handshake allowed too) the client gets an error in its
 * dialect's format, then the close 4001. It reconnects with a fresh token and resumes.
 */
final class TokenExpiryHandler extends ChannelInboundHandlerAdapter {
    private final Session session;
    private final Duration leeway;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private ScheduledFuture<?> expiry;

    TokenExpiryHandler(Session session, Duration leeway, Clock clock, GatewayMetrics metrics) {
        this.session = session;
        this.leeway = leeway;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (session.principal().expiresAt() == null) {
            return;
        }
        long delayMillis = Math.max(0, Duration.between(clock.instant(), session.principal().expiresAt())
                .plus(leeway).toMillis());
        expiry = ctx.executor().schedule(() -> expire(ctx), delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (expiry != null) {
            expiry.cancel(false);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        byte[] error = session.codec().encodeError(null,
                new ChatException(ErrorCode.UNAUTHORIZED, "access token expired: reconnect with a fresh one"));
        if (error != null) {
            session.send(error);
        }
        metrics.protocolClose(CloseCodes.TOKEN_EXPIRED.code());
        ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.TOKEN_EXPIRED)).addListener(ChannelFutureListener.CLOSE);
        ctx.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE); // no push after the close frame
    }
}
