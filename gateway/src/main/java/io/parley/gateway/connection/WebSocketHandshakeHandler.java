package io.parley.gateway.connection;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.Failures;
import io.parley.gateway.http.HttpResponses;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.logging.ConnectionMdc;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.Session;
import io.parley.gateway.websocket.StrictHandshaker;
import io.parley.protocol.command.ChatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns an HTTP request on a WebSocket endpoint into a live session, or refuses it <b>before</b>
 * any upgrade: 400 not an upgrade or a malformed URL, 403 foreign browser origin, 401 bad
 * credential, 403 a service token (role {@code service}: the server API's, never a socket's),
 * 403 URL identity that is not the principal, 403/404 a chat in the URL the user may not use
 * (checked off the event loop), 429 the user has max_connections_per_user open. On
 * success it writes the 101, swaps the HTTP handlers for the WebSocket ones
 * ({@link ConnectionLifecycle#upgraded}) and starts the session, which goes live once the 101 is written.
 * A dialect that authenticates inside frames gets its authenticator instead of a session.
 * Stateless and shared.
 */
@ChannelHandler.Sharable
public final class WebSocketHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandshakeHandler.class);
    /** A backend's credential opens no socket: it would act as a user without being one. */
    public static final String SERVICE_TOKEN = "a service token is for the server API and cannot open a socket";

    private final List<DialectEndpoint> endpoints;
    private final TokenVerifier tokens;
    private final OriginPolicy origins;
    private final WebSocketDecoderConfig decoderConfig;
    private final ChatService chat;
    private final ConnectionLifecycle lifecycle;
    private final ConnectionLimits limits;
    private final GatewayMetrics metrics;

    public WebSocketHandshakeHandler(List<DialectEndpoint> endpoints, TokenVerifier tokens, OriginPolicy origins,
                                     WebSocketDecoderConfig decoderConfig, ChatService chat, ConnectionLifecycle lifecycle,
                                     ConnectionLimits limits, GatewayMetrics metrics) {
        this.endpoints = List.copyOf(endpoints);
        this.tokens = tokens;
        this.origins = origins;
        this.decoderConfig = decoderConfig;
        this.chat = chat;
        this.lifecycle = lifecycle;
        this.limits = limits;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        DialectEndpoint endpoint = endpoints.stream().filter(e -> e.matches(uri)).findFirst().orElse(null);
        if (endpoint == null) {
            refuse(ctx, request, null, null, HttpResponseStatus.NOT_FOUND, "no_endpoint", "no WebSocket endpoint at " + uri.path());
            return;
        }
        if (!HttpMethod.GET.equals(request.method())
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuse(ctx, request, endpoint, null, HttpResponseStatus.BAD_REQUEST, "not_upgrade",
                    uri.path() + " is a WebSocket endpoint: send GET with Upgrade: websocket");
            return;
        }
        String invalid = endpoint.invalidUrl(uri);
        if (invalid != null) {
            refuse(ctx, request, endpoint, null, HttpResponseStatus.BAD_REQUEST, "url", invalid);
            return;
        }
        if (!origins.allows(request.headers().get(HttpHeaderNames.ORIGIN))) {
            refuse(ctx, request, endpoint, null, HttpResponseStatus.FORBIDDEN, "origin", "origin not allowed");
            return;
        }
        if (endpoint.authenticatesInFrames()) {
            upgrade(ctx, request, endpoint, uri, null, null);
            return;
        }
        String token = endpoint.credential(request);
        Principal principal;
        try {
            principal = tokens.verify(token);
        } catch (AuthException e) {
            refuse(ctx, request, endpoint, null, HttpResponseStatus.UNAUTHORIZED, e.reason(), e.getMessage());
            return;
        }
        if (principal.service()) {
            refuse(ctx, request, endpoint, principal, HttpResponseStatus.FORBIDDEN, "service_token", SERVICE_TOKEN);
            return;
        }
        String mismatch = endpoint.identityMismatch(uri, principal);
        if (mismatch != null) {
            refuse(ctx, request, endpoint, principal, HttpResponseStatus.FORBIDDEN, "identity", mismatch);
            return;
        }
        String chatId = endpoint.chatOf(uri);
        if (chatId == null) {
            upgrade(ctx, request, endpoint, uri, principal, token);
            return;
        }
        // The URL names a chat: the user must be allowed in it before the upgrade.
        request.retain();
        chat.access(principal, chatId).whenComplete((entry, failure) -> ctx.executor().execute(() -> {
            try {
                if (failure == null) {
                    upgrade(ctx, request, endpoint, uri, principal, token);
                } else {
                    ChatException error = Failures.toChatException(failure);
                    refuse(ctx, request, endpoint, principal, HttpResponseStatus.valueOf(error.code().status()), "chat", error.getMessage());
                }
            } finally {
                request.release();
            }
        }));
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, DialectEndpoint endpoint,
                         QueryStringDecoder uri, Principal principal, String token) {
        String url = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
        WebSocketServerHandshaker handshaker = StrictHandshaker.forRequest(
                request, url, endpoint.selectedSubprotocol(), decoderConfig);
        if (handshaker == null) {
            metrics.handshakeRefused("version", HttpResponseStatus.UPGRADE_REQUIRED.code(), ctx.channel().remoteAddress(),
                    request.uri());
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        // Last check before the 101: the slot is given back when this channel closes. A dialect
        // that authenticates inside frames has no user yet, so only its address is limited.
        if (principal != null && !limits.admitUser(ctx.channel(), principal.userId())) {
            refuse(ctx, request, endpoint, principal, HttpResponseStatus.TOO_MANY_REQUESTS, ConnectionLimits.PER_USER,
                    "too many open connections for this user (limit " + limits.maxPerUser() + ")");
            return;
        }
        HttpHeaders responseHeaders = new DefaultHttpHeaders();
        ChannelFuture written;
        try {
            written = handshaker.handshake(ctx.channel(), request, responseHeaders, ctx.newPromise());
        } catch (RuntimeException e) {
            refuse(ctx, request, endpoint, principal, HttpResponseStatus.BAD_REQUEST, "bad_handshake", "invalid WebSocket handshake: " + e.getMessage());
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        lifecycle.upgraded(ctx);
        Session session;
        if (principal == null) {
            pipeline.addLast(PipelineNames.FRAME_AUTH, endpoint.frameAuthenticator(uri, lifecycle));
            session = null;
        } else {
            session = lifecycle.install(pipeline, endpoint, uri, principal, token);
        }
        written.addListener(f -> {
            if (f.isSuccess()) {
                metrics.handshake("accepted", "ok");
                if (session != null) {
                    lifecycle.activate(session);
                }
            } else {
                if (log.isDebugEnabled()) {
                    ConnectionMdc.run(ctx.channel(), endpoint.dialect(), principal == null ? null : principal.userId(),
                            () -> log.debug("handshake write failed for {}", ctx.channel(), f.cause()));
                }
                ctx.channel().close();
            }
        });
    }
    /** @param endpoint and {@code principal}: what is known of the caller so far (null when not yet) */
    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, DialectEndpoint endpoint, Principal principal,
                        HttpResponseStatus status, String reason, String message) {
        metrics.handshakeRefused(reason, status.code(), ctx.channel().remoteAddress(), request.uri());
        if (log.isDebugEnabled()) {
            ConnectionMdc.run(ctx.channel(), endpoint == null ? null : endpoint.dialect(),
                    principal == null ? null : principal.userId(),
                    () -> log.debug("handshake refused: {} {} ({}) on {}", status.code(), reason, message, ctx.channel()));
        }
        HttpResponses.error(ctx, request, status, message);
    }
}
