package io.parley.gateway.bus;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.gateway.websocket.CloseStarted;

import java.util.concurrent.TimeUnit;

/**
 * Decides whether a connection can take another pushed frame. The channel's write-buffer high
 * water mark is {@code max_outbound_bytes}; past it the connection is closed with 4008 and its
 * buffered frames are released, so one stalled reader never holds memory without bound.
 */
public final class SlowConsumerPolicy {
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("parley.slowConsumerClosing");
    /** A reader that cannot even take the close frame is cut off after this long. */
    private static final long CLOSE_GRACE_MILLIS = 1_000;

    private final GatewayMetrics metrics;

    public SlowConsumerPolicy(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** True if the frame may be written; otherwise the connection is being closed. */
    public boolean admit(Session session) {
        Channel channel = session.channel();
        if (channel.isWritable()) {
            return true;
        }
        if (!channel.isActive()) {
            return false; // it just closed (its buffer is gone): a client that left, not a slow one
        }
        if (channel.attr(CLOSING).setIfAbsent(Boolean.TRUE) == null) {
            metrics.slowConsumerClosed(session.dialect());
            channel.eventLoop().execute(() -> {
                channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.SLOW_CONSUMER));
                channel.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE);
                channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            });
        }
        return false;
    }
}
