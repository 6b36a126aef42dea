package io.parley.gateway.dialect.feed;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.gateway.connection.HandshakeComplete;
import io.parley.gateway.session.Session;
import io.parley.protocol.feed.FeedCodec;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** {@code ?heartbeat=true}: a {@code heartbeat} frame every interval while the socket is open. */
public final class FeedHeartbeatHandler extends ChannelInboundHandlerAdapter {
    private final Session session;
    private final long intervalMillis;
    private ScheduledFuture<?> beat;

    public FeedHeartbeatHandler(Session session, Duration interval) {
        this.session = session;
        this.intervalMillis = interval.toMillis();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeComplete && beat == null) {
            beat = ctx.executor().scheduleAtFixedRate(() -> session.send(FeedCodec.heartbeat()),
                    intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (beat != null) {
            beat.cancel(false);
            beat = null;
        }
    }
}
