package io.parley.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.handshake.DialectEndpoint;
import io.parley.gateway.handshake.HandshakeComplete;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.limits.RateLimitHandler;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.Presence;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionLifecycle;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.ChatFrameHandler;
import io.parley.gateway.websocket.IdleSweeps;
import io.parley.protocol.SocketScope;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

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
    private final IdleSweeps idleSweeps;
    private final int maxMessagesPerSecond;
    private final int messageBurst;

    public SessionPipeline(ChatService chat, SessionRegistry sessions, Presence presence, GatewayMetrics metrics,
                           int maxMessageBytes, Duration idleTimeout, int maxMessagesPerSecond, int messageBurst) {
        this.chat = chat;
        this.sessions = sessions;
        this.presence = presence;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.idleSweeps = new IdleSweeps(idleTimeout);
        this.maxMessagesPerSecond = maxMessagesPerSecond;
        this.messageBurst = messageBurst;
    }

    @Override
    public void installTransport(ChannelHandlerContext ctx) {
        // Acks complete in batches (one per group commit) and pushes arrive from other threads:
        // consolidating their flushes turns many small write syscalls per socket into one.
        ctx.pipeline().addFirst(FLUSH, new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ParleyChannelInitializer.addFrameLayer(ctx.pipeline(), metrics, maxMessageBytes, idleSweeps);
        ParleyChannelInitializer.removeHttpPhase(ctx);
    }

    @Override
    public Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri,
                           Principal principal, String credential) {
        SocketScope scope = new SocketScope(endpoint.chatOf(uri), endpoint.authenticatesInFrames() ? credential : null);
        Session session = new Session(principal, endpoint.codec(), pipeline.channel(), scope, endpoint.frameWriters(uri));
        pipeline.addLast(RATE_LIMIT, new RateLimitHandler(session, metrics, maxMessagesPerSecond, messageBurst));
        endpoint.addSessionHandlers(pipeline, session, uri);
        pipeline.addLast(CHAT, new ChatFrameHandler(session, chat, this, metrics));
        return session;
    }

    @Override
    public void activate(Session session) {
        CompletableFuture<Boolean> hostedElsewhere = sessions.add(session);
        metrics.connectionOpened(session.dialect());
        presence.connected(session, hostedElsewhere);
        session.channel().pipeline().fireUserEventTriggered(new HandshakeComplete(session));
    }

    @Override
    public void closed(Session session) {
        CompletableFuture<Boolean> hostedElsewhere = sessions.remove(session);
        metrics.connectionClosed(session.dialect());
        presence.disconnected(session, hostedElsewhere);
    }
}
