package io.parley.gateway.dialect.pair;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.connection.ConnectionLifecycle;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.connection.WebSocketHandshakeHandler;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.Failures;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.pair.PairCodec;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Dialect {@code pair} authenticates inside frames: this per-connection handler stands where the
 * chat handler will be. Until a frame brings a valid {@code sessionId} (a JWT) of a participant
 * of the URL's chat (a service token is refused with 403), every frame is answered
 * {@code {"code": 401 | 403 | 404, "message"}} and nothing is delivered to the socket (it has no
 * session yet). The first valid one starts the
 * session, is acknowledged (a pure hello) or run (a hello with a message), and this handler
 * removes itself. No valid hello within the deadline closes the socket with 1008.
 */
public final class PairAuthenticator extends ChannelInboundHandlerAdapter {
    /** Frames that may arrive while a hello is being checked; more are refused with 429. */
    static final int MAX_PENDING = 16;

    private final TokenVerifier tokens;
    private final ChatService chat;
    private final DialectEndpoint endpoint;
    private final QueryStringDecoder uri;
    private final ConnectionLifecycle lifecycle;
    private final Duration deadline;
    private final GatewayMetrics metrics;
    private final ArrayDeque<TextWebSocketFrame> pending = new ArrayDeque<>();
    private boolean checking;
    private ScheduledFuture<?> timeout;

    public PairAuthenticator(TokenVerifier tokens, ChatService chat, DialectEndpoint endpoint, QueryStringDecoder uri,
                             ConnectionLifecycle lifecycle, Duration deadline, GatewayMetrics metrics) {
        this.tokens = tokens;
        this.chat = chat;
        this.endpoint = endpoint;
        this.uri = uri;
        this.lifecycle = lifecycle;
        this.deadline = deadline;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            metrics.protocolClose(CloseCodes.POLICY_VIOLATION.code());
            ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.POLICY_VIOLATION.code(),
                    "no valid hello {\"sessionId\"} within " + deadline.toSeconds() + "s"))
                    .addListener(ChannelFutureListener.CLOSE);
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof TextWebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (checking) {
            if (pending.size() >= MAX_PENDING) {
                consumed(frame);
                refuse(ctx, new ChatException(ErrorCode.RATE_LIMITED, "wait for the answer to your hello"));
            } else {
                pending.add(frame);
            }
            return;
        }
        hello(ctx, frame);
    }

    private void hello(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        byte[] text = ByteBufUtil.getBytes(frame.content());
        String token;
        Principal principal;
        try {
            token = PairCodec.helloSessionId(text, 0, text.length);
            principal = tokens.verify(token);
        } catch (ChatException e) {
            consumed(frame);
            refuse(ctx, e);
            return;
        } catch (AuthException e) {
            consumed(frame);
            refuse(ctx, new ChatException(ErrorCode.UNAUTHORIZED, "sessionId: " + e.getMessage()));
            return;
        }
        if (principal.service()) {
            consumed(frame);
            refuse(ctx, new ChatException(ErrorCode.FORBIDDEN, "sessionId: " + WebSocketHandshakeHandler.SERVICE_TOKEN));
            return;
        }
        checking = true;
        String chatId = endpoint.chatOf(uri);
        chat.access(principal, chatId).whenComplete((entry, failure) -> ctx.executor().execute(() -> {
            checking = false;
            if (!ctx.channel().isActive()) {
                consumed(frame);
                return;
            }
            if (failure != null) {
                consumed(frame);
                refuse(ctx, Failures.toChatException(failure));
                replayPending(ctx);
            } else {
                start(ctx, principal, token, frame, text);
            }
        }));
    }

    private void start(ChannelHandlerContext ctx, Principal principal, String token, TextWebSocketFrame frame,
                       byte[] text) {
        timeout.cancel(false);
        Session session = lifecycle.install(ctx.pipeline(), endpoint, uri, principal, token);
        lifecycle.activate(session);
        // The hello itself: a message to post or a resume to run, or just acknowledged.
        if (PairCodec.carriesRequest(text, 0, text.length)) {
            ctx.fireChannelRead(frame);
        } else {
            consumed(frame);
            metrics.frameOut(endpoint.dialect());
            session.send(PairCodec.status(200, "authenticated"));
        }
        TextWebSocketFrame next;
        while ((next = pending.poll()) != null) {
            ctx.fireChannelRead(next);
        }
        ctx.pipeline().remove(this);
    }

    /**
     * A frame this handler answers itself: counted in and released. Frames it hands to the chat
     * handler (a hello carrying a message, frames held meanwhile) are counted there, once.
     */
    private void consumed(TextWebSocketFrame frame) {
        metrics.frameIn(endpoint.dialect());
        frame.release();
    }

    /** After a refused hello, frames that waited are hellos to try in turn. */
    private void replayPending(ChannelHandlerContext ctx) {
        TextWebSocketFrame next;
        while (!checking && (next = pending.poll()) != null) {
            hello(ctx, next);
        }
    }

    private void refuse(ChannelHandlerContext ctx, ChatException error) {
        metrics.error(error.code().status());
        metrics.frameOut(endpoint.dialect());
        ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(
                PairCodec.status(error.code().status(), error.getMessage()))), ctx.voidPromise());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        TextWebSocketFrame left;
        while ((left = pending.poll()) != null) {
            left.release();
        }
    }
}
