package io.parley.gateway.websocket;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.Failures;
import io.parley.gateway.handshake.HandshakeComplete;
import io.parley.gateway.logging.ConnectionMdc;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionLifecycle;
import io.parley.protocol.Request;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's last handler: a text frame is decoded by the dialect's codec, run by the chat
 * core, and answered in the same dialect. Bad requests get an error frame and the socket stays
 * open. Requests take effect in the order received ({@link InOrderRequests}). Replies come back
 * from storage threads and are written on this channel's event loop.
 *
 * <p>Bound: at most {@link #MAX_IN_FLIGHT} requests per connection await an answer; past that a
 * request is answered 429 at once, so one client cannot queue unbounded work.
 */
public final class ChatFrameHandler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    public static final int MAX_IN_FLIGHT = 64;
    private static final Logger log = LoggerFactory.getLogger(ChatFrameHandler.class);

    private final Session session;
    private final ChatService chat;
    private final SessionLifecycle lifecycle;
    private final GatewayMetrics metrics;
    private int inFlight;
    private boolean live;
    private InOrderRequests inOrder;

    public ChatFrameHandler(Session session, ChatService chat, SessionLifecycle lifecycle, GatewayMetrics metrics) {
        this.session = session;
        this.chat = chat;
        this.lifecycle = lifecycle;
        this.metrics = metrics;
    }

    /** This connection's session (for its log lines). */
    public Session session() {
        return session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        inOrder = new InOrderRequests(ctx.executor());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        metrics.frameIn(session.dialect());
        byte[] text = ByteBufUtil.getBytes(frame.content());
        Request request = session.codec().decode(session.scope(), text, 0, text.length);
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
        boolean send = valid.command() instanceof Command.SendMessage;
        inOrder.submit(send, () -> {
            var execution = chat.start(session.principal(), session.id(), valid.command());
            execution.reply().whenComplete((reply, failure) -> {
                Runnable task = () -> answer(ctx, valid, reply, failure);
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
