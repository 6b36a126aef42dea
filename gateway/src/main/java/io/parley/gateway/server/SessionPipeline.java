package io.parley.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.handshake.DialectEndpoint;
import io.parley.gateway.handshake.HandshakeComplete;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.Presence;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionLifecycle;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.ChatFrameHandler;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.protocol.SocketScope;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.server.PipelineNames.*;

/**
 * The WebSocket phase of every connection's pipeline (order documented in {@link PipelineNames}):
 * the transport handlers after the 101, then the session's handlers once it is authenticated,
 * and the session's registration, presence and metrics from live to closed.
 */
public final class SessionPipeline implements WebSocketHandshakeHandler.WebSocketInstaller, SessionLifecycle {
    private final ChatService chat;
    private final SessionRegistry sessions;
    private final Presence presence;
    private final GatewayMetrics metrics;
    private final int maxMessageBytes;
    private final Duration idleTimeout;

    public SessionPipeline(ChatService chat, SessionRegistry sessions, Presence presence, GatewayMetrics metrics,
                    int maxMessageBytes, Duration idleTimeout) {
        this.chat = chat;
        this.sessions = sessions;
        this.presence = presence;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void installTransport(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        p.addLast(UTF8_VALIDATOR, new Utf8FrameValidator(true));
        p.addLast(FRAME_AGGREGATOR, new WebSocketFrameAggregator(maxMessageBytes));
        p.addLast(IDLE, new IdleStateHandler(idleTimeout.toMillis() / 2, 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(CONTROL, new ControlFrameHandler(metrics));
        p.remove(HANDSHAKE_DEADLINE);
        p.remove(HTTP_ROUTER);
        p.remove(ctx.handler());
    }

    @Override
    public Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri,
                           Principal principal, String credential) {
        SocketScope scope = new SocketScope(endpoint.chatOf(uri), endpoint.authenticatesInFrames() ? credential : null);
        Session session = new Session(principal, endpoint.codec(), pipeline.channel(), scope, endpoint.frameWriters(uri));
        endpoint.addSessionHandlers(pipeline, session, uri);
        pipeline.addLast(CHAT, new ChatFrameHandler(session, chat, this, metrics));
        return session;
    }

    @Override
    public void activate(Session session) {
        sessions.add(session);
        metrics.connectionOpened(session.dialect());
        presence.connected(session);
        session.channel().pipeline().fireUserEventTriggered(new HandshakeComplete(session));
    }

    @Override
    public void closed(Session session) {
        sessions.remove(session);
        metrics.connectionClosed(session.dialect());
        presence.disconnected(session);
    }
}
