package io.parley.gateway.connection;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.Execution;
import io.parley.gateway.core.Failures;
import io.parley.gateway.limits.MessageRateLimit;
import io.parley.gateway.logging.ConnectionMdc;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionOwner;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.gateway.websocket.CloseStarted;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * The session's last handler: a text frame is decoded by the dialect's codec, run by the chat
 * core, and answered in the same dialect — except a token refresh, which the connection takes
 * itself ({@link SessionTokens}). Bad requests get an error frame and the socket stays open.
 * Requests take effect in the order received ({@link InOrderRequests}). Replies come back from
 * storage threads and are written on this channel's event loop.
 *
 * <p>Bounds: the connection's message rate ({@link MessageRateLimit}: 429, then 1008 for a client
 * that ignores it), and at most {@link #MAX_IN_FLIGHT} requests awaiting an answer, past which a
 * request is answered 429 at once, so one client cannot queue unbounded work. The rate limit and
 * the request queue are made at the first message: an idle socket holds neither.
 */
public final class ChatFrameHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> implements SessionOwner {
    public static final int MAX_IN_FLIGHT = 64;
    private static final Logger log = LoggerFactory.getLogger(ChatFrameHandler.class);

    private final Session session;
    private final ChatService chat;
    private final SessionTokens tokens;
    private final ConnectionLifecycle lifecycle;
    private final GatewayMetrics metrics;
    private final int maxMessagesPerSecond;
    private final int messageBurst;
    private int inFlight;
    private boolean live;
    private boolean closedForRate;
    private MessageRateLimit rate;
    private InOrderRequests inOrder;

    public ChatFrameHandler(Session session, ChatService chat, SessionTokens tokens, ConnectionLifecycle lifecycle,
                            GatewayMetrics metrics, int maxMessagesPerSecond, int messageBurst) {
        this.session = session;
        this.chat = chat;
        this.tokens = tokens;
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.maxMessagesPerSecond = maxMessagesPerSecond;
        this.messageBurst = messageBurst;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        if (closedForRate) {
            return; // the close frame is on its way
        }
        metrics.frameIn(session.dialect());
        long now = System.nanoTime();
        if (rate == null) {
            rate = new MessageRateLimit(maxMessagesPerSecond, messageBurst, now);
            inOrder = new InOrderRequests(ctx.executor());
        }
        MessageRateLimit.Verdict verdict = rate.check(now);
        if (verdict == MessageRateLimit.Verdict.CLOSE) {
            closeForRate(ctx);
            return;
        }
        byte[] text = ByteBufUtil.getBytes(frame.content());
        Request request = session.codec().decode(session.scope(), text, 0, text.length);
        if (verdict == MessageRateLimit.Verdict.REFUSE) {
            metrics.limitRejected(MessageRateLimit.LIMIT);
            writeError(ctx, request, new ChatException(ErrorCode.RATE_LIMITED, "rate limited: at most "
                    + maxMessagesPerSecond + " requests per second per connection; slow down"));
            return;
        }
        if (request instanceof Request.Invalid invalid) {
            writeError(ctx, request, invalid.error());
            return;
        }
        Request.Valid valid = (Request.Valid) request;
        if (inFlight >= MAX_IN_FLIGHT) {
            writeError(ctx, request, new ChatException(ErrorCode.RATE_LIMITED,
                    "too many requests in flight on this connection (limit " + MAX_IN_FLIGHT + "); wait for replies"));
            return;
        }
        inFlight++;
        Request.Valid answered = answeredRequest(valid);
        boolean send = answered.command() instanceof Command.SendMessage;
        inOrder.submit(send, () -> {
            Execution execution = start(valid);
            execution.reply().whenComplete((reply, failure) -> {
                Runnable task = () -> answer(ctx, answered, reply, failure);
                // A sent message is acknowledged on this loop at its place among the pushes
                // (Envelope.originAck): written right there. Any other answer is a task of its own.
                if (send && failure == null && ctx.executor().inEventLoop()) {
                    task.run();
                } else {
                    ctx.executor().execute(task);
                }
            });
            return execution;
        });
    }

    /**
     * Runs the request in its turn. A token refresh is the connection's own business, never the
     * chat core's: the session takes the new token here (or the request fails), and what the same
     * frame also asks then runs as the refreshed user.
     */
    private Execution start(Request.Valid request) {
        if (request.command() instanceof Command.RefreshToken refresh) {
            CompletableFuture<Reply> refreshed;
            try {
                refreshed = CompletableFuture.completedFuture(tokens.refresh(session, refresh.token()));
            } catch (ChatException e) {
                refreshed = CompletableFuture.failedFuture(e);
            }
            if (refresh.then() == null || refreshed.isCompletedExceptionally()) {
                return new Execution(CompletableFuture.completedFuture(null), refreshed);
            }
            return chat.start(session.principal(), session.id(), refresh.then());
        }
        return chat.start(session.principal(), session.id(), request.command());
    }

    /** The request whose answer the client gets: what a refresh frame also asks, if anything, else the request. */
    private static Request.Valid answeredRequest(Request.Valid request) {
        return request.command() instanceof Command.RefreshToken refresh && refresh.then() != null
                ? new Request.Valid(request.name(), request.correlationId(), refresh.then())
                : request;
    }

    private void closeForRate(ChannelHandlerContext ctx) {
        closedForRate = true;
        metrics.limitRejected(MessageRateLimit.LIMIT);
        metrics.protocolClose(CloseCodes.POLICY_VIOLATION.code());
        ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.POLICY_VIOLATION.code(), "rate limit ignored"))
                .addListener(ChannelFutureListener.CLOSE);
        ctx.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE); // no push after the close frame
    }

    private void answer(ChannelHandlerContext ctx, Request.Valid request, Reply reply, Throwable failure) {
        inFlight--;
        if (failure == null) {
            write(ctx, session.codec().encodeReply(request, reply), newMessageSeq(request, reply));
        } else {
            if (Failures.isUnexpected(failure)) {
                ConnectionMdc.run(ctx.channel(), session.dialect(), session.userId(),
                        () -> log.error("request {} from {} failed", request.name(), session, Failures.unwrap(failure)));
            }
            writeError(ctx, request, Failures.toChatException(failure));
        }
        inOrder.answered();
    }

    private void writeError(ChannelHandlerContext ctx, Request request, ChatException error) {
        metrics.error(error.code().status());
        write(ctx, session.codec().encodeError(request, error), 0);
    }

    /** The sequence of the message a reply acknowledges as sent, else 0. */
    private static long newMessageSeq(Request.Valid request, Reply reply) {
        return request.command() instanceof Command.SendMessage && reply instanceof Reply.MessageReply sent
                ? sent.message().seq() : 0;
    }

    /**
     * Writes through the session's writer (which may number frames, or skip a sent message it has
     * already shown: {@code messageSeq}); {@code null} means no frame.
     */
    private void write(ChannelHandlerContext ctx, byte[] encoded, long messageSeq) {
        if (encoded != null && ctx.channel().isActive()) {
            metrics.frameOut(session.dialect());
            if (messageSeq > 0) {
                session.send(encoded, messageSeq);
            } else {
                session.send(encoded);
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeComplete) {
            live = true;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (live) {
            live = false;
            lifecycle.closed(session);
        }
        ctx.fireChannelInactive();
    }

    /** Never let a failure escape as an unhandled pipeline exception with a stack trace. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionMdc.run(ctx.channel(), session.dialect(), session.userId(),
                () -> log.warn("unexpected error in session {}", session, cause));
        ctx.close();
    }
}
