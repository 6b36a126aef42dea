package io.parley.gateway.limits;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;

/**
 * Per-socket request rate: a {@link TokenBucket} of {@code message_burst} tokens refilled at
 * {@code max_messages_per_second}. A text message without a token is answered with a 429 error
 * in the dialect's shape (addressed to the request, so the client knows which one) and dropped;
 * the socket stays. A client that keeps sending through a whole burst's worth of 429s in a row is
 * abusive and is closed with 1008. One instance per connection, before the chat handler.
 */
public final class RateLimitHandler extends ChannelInboundHandlerAdapter {
    public static final String LIMIT = "message_rate";

    private final Session session;
    private final GatewayMetrics metrics;
    private final TokenBucket bucket;
    private final int perSecond;
    private final int abuseThreshold;
    private int refusedInARow;
    private boolean closed;

    public RateLimitHandler(Session session, GatewayMetrics metrics, int perSecond, int burst) {
        this.session = session;
        this.metrics = metrics;
        this.bucket = new TokenBucket(burst, perSecond, System.nanoTime());
        this.perSecond = perSecond;
        this.abuseThreshold = burst;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TextWebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closed) {
            ReferenceCountUtil.release(msg);
        } else if (bucket.tryTake(System.nanoTime())) {
            refusedInARow = 0;
            ctx.fireChannelRead(msg);
        } else {
            refuse(ctx, frame);
        }
    }

    private void refuse(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        metrics.limitRejected(LIMIT);
        if (++refusedInARow > abuseThreshold) {
            frame.release();
            closed = true;
            metrics.protocolClose(CloseCodes.POLICY_VIOLATION.code());
            ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.POLICY_VIOLATION.code(), "rate limit ignored"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        byte[] text;
        try {
            text = ByteBufUtil.getBytes(frame.content());
        } finally {
            frame.release();
        }
        Request request = session.codec().decode(text, 0, text.length); // to address the reply
        ChatException error = new ChatException(ErrorCode.RATE_LIMITED,
                "rate limited: at most " + perSecond + " requests per second per connection; slow down");
        metrics.error(error.code().status());
        metrics.frameOut(session.dialect());
        ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(session.codec().encodeError(request, error))),
                ctx.voidPromise());
    }
}
