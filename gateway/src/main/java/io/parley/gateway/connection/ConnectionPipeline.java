package io.parley.gateway.connection;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.parley.gateway.attachments.AttachmentFiles;
import io.parley.gateway.attachments.UploadHandler;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.PresenceAnnouncer;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.ControlFrameHandler;
import io.parley.gateway.websocket.IdleSweeps;
import io.parley.protocol.SocketScope;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.parley.gateway.config.Settings.ALLOWED_ORIGINS;
import static io.parley.gateway.config.Settings.HANDSHAKE_TIMEOUT;
import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static io.parley.gateway.config.Settings.MAX_FRAME_BYTES;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;
import static io.parley.gateway.config.Settings.PERMESSAGE_DEFLATE;
import static io.parley.gateway.connection.PipelineNames.*;

/**
 * Every connection's pipeline, built here in three phases (the layout, handler by handler, is in
 * {@link PipelineNames}): the HTTP phase for each new connection ({@link #initChannel}), the
 * WebSocket transport once a handshake is accepted ({@link #upgraded}), the session's handlers
 * once it is authenticated ({@link #install}); then the session's registration, presence and
 * metrics from live ({@link #activate}) to closed.
 */
public final class ConnectionPipeline extends ChannelInitializer<SocketChannel> implements ConnectionLifecycle {
    /** Handshakes and REST bodies are small; anything bigger is refused with 413. */
    static final int MAX_HTTP_BODY_BYTES = 64 * 1024;
    /** Request line (with the query) and all headers: room for an 8 KiB token; above, 414 / 431. */
    static final int MAX_HTTP_LINE_BYTES = 8 * 1024;
    static final int MAX_HTTP_HEADER_BYTES = 16 * 1024;

    private final ParleyConfig config;
    private final SslContext tls;
    private final ConnectionLimits limits;
    private final GatewayMetrics metrics;
    private final HttpRouter router;
    private final ChatService chat;
    private final SessionRegistry sessions;
    private final PresenceAnnouncer presence;
    private final FlushBatch.PerLoop flushes;
    private final IdleSweeps idleSweeps;
    private final WebSocketHandshakeHandler handshake;
    private final SessionTokens sessionTokens;
    private final AttachmentFiles attachments;
    private final TokenVerifier tokens;

    /**
     * @param tls       the server's TLS context, or {@code null} for plain ws/http
     * @param endpoints the dialects, in the order their paths are matched
     * @param flushes   the event loops' flush batches, which the deliveries open
     */
    public ConnectionPipeline(ParleyConfig config, SslContext tls, ConnectionLimits limits, GatewayMetrics metrics,
                              HttpRouter router, List<DialectEndpoint> endpoints, TokenVerifier tokens,
                              ChatService chat, SessionRegistry sessions, PresenceAnnouncer presence,
                              FlushBatch.PerLoop flushes, AttachmentFiles attachments) {
        this.config = config;
        this.tls = tls;
        this.limits = limits;
        this.metrics = metrics;
        this.router = router;
        this.chat = chat;
        this.sessions = sessions;
        this.presence = presence;
        this.flushes = flushes;
        this.attachments = attachments;
        this.tokens = tokens;
        this.idleSweeps = new IdleSweeps(config.get(IDLE_TIMEOUT));
        this.sessionTokens = new SessionTokens(tokens, config.get(JWT_LEEWAY));
        this.handshake = new WebSocketHandshakeHandler(endpoints, tokens, new OriginPolicy(config.get(ALLOWED_ORIGINS)),
                decoderConfig(config), chat, this, limits, metrics);
    }

    /** The HTTP phase, for every new connection. */
    @Override
    protected void initChannel(SocketChannel ch) {
        // Admission before any handler or buffer exists: one address cannot take every descriptor.
        if (!limits.admitAddress(ch)) {
            ch.close();
            return;
        }
        if (tls != null) {
            ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc()));
        }
        addHttpPhase(ch.pipeline(), config, metrics, router, handshake);
        ch.pipeline().addBefore(HTTP_AGGREGATOR, UPLOADS, new UploadHandler(attachments, tokens));
    }

    /** The WebSocket transport after the 101; the HTTP handlers go (TLS stays). */
    @Override
    public void upgraded(ChannelHandlerContext handshakeContext) {
        // Acks and pushes come in batches (one per group commit): one flush per socket per batch.
        handshakeContext.pipeline().addFirst(FLUSH,
                new BatchedFlushHandler(flushes.of(handshakeContext.channel().eventLoop())));
        addFrameLayer(handshakeContext.pipeline(), metrics, config.get(MAX_FRAME_BYTES), idleSweeps);
        removeHttpPhase(handshakeContext);
    }

    /** The session phase: the dialect's own handlers, the chat handler. */
    @Override
    public Session install(ChannelPipeline pipeline, DialectEndpoint endpoint, QueryStringDecoder uri,
                           Principal principal, String credential) {
        SocketScope scope = SocketScope.of(endpoint.chatOf(uri), endpoint.authenticatesInFrames() ? credential : null);
        Session session = new Session(principal, endpoint.codec(), pipeline.channel(), scope, endpoint.frameWriters(uri));
        endpoint.addSessionHandlers(pipeline, session, uri);
        pipeline.addLast(CHAT, new ChatFrameHandler(session, chat, sessionTokens, this, metrics,
                config.get(MAX_MESSAGES_PER_SECOND), config.get(MESSAGE_BURST)));
        sessionTokens.closeAtExpiry(session);
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

    /**
     * HTTP requests up to the handshake handler, behind TLS if any. Shared with the conformance
     * (Autobahn) server so that it tests this code.
     */
    public static void addHttpPhase(ChannelPipeline p, ParleyConfig config, GatewayMetrics metrics, HttpRouter router,
                                    ChannelHandler handshake) {
        p.addLast(HTTP_CODEC, new HttpServerCodec(MAX_HTTP_LINE_BYTES, MAX_HTTP_HEADER_BYTES, 8192));
        p.addLast(HANDSHAKE_DEADLINE, new HandshakeDeadlineHandler(config.get(HANDSHAKE_TIMEOUT), metrics));
        p.addLast(CHUNKED_WRITER, new ChunkedWriteHandler());
        p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HTTP_BODY_BYTES));
        if (config.get(PERMESSAGE_DEFLATE)) {
            p.addLast(WS_EXTENSIONS, Compression.extensionHandler(config.get(MAX_FRAME_BYTES)));
        }
        p.addLast(HTTP_ROUTER, router);
        p.addLast(WS_HANDSHAKE, handshake);
    }

    /**
     * The dialect-independent RFC 6455 layer behind Netty's frame codec: UTF-8, fragments, idle,
     * control frames. Shared with the conformance (Autobahn) server.
     */
    public static void addFrameLayer(ChannelPipeline p, GatewayMetrics metrics, int maxMessageBytes,
                                     IdleSweeps idleSweeps) {
        p.addLast(UTF8_VALIDATOR, new Utf8FrameValidator(true));
        p.addLast(FRAME_AGGREGATOR, new WebSocketFrameAggregator(maxMessageBytes));
        p.addLast(CONTROL, new ControlFrameHandler(metrics, idleSweeps));
    }

    /** The HTTP-phase handlers still present after the upgrade; the handshake handler goes last. */
    public static void removeHttpPhase(ChannelHandlerContext handshakeContext) {
        ChannelPipeline p = handshakeContext.pipeline();
        p.remove(HANDSHAKE_DEADLINE);
        p.remove(CHUNKED_WRITER);
        if (p.get(UPLOADS) != null) {
            p.remove(UPLOADS);
        }
        p.remove(HTTP_ROUTER);
        p.remove(handshakeContext.handler());
    }

    /** Frame-decoder limits and strictness from the configuration. */
    public static WebSocketDecoderConfig decoderConfig(ParleyConfig config) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.get(MAX_FRAME_BYTES))
                .allowExtensions(config.get(PERMESSAGE_DEFLATE)) // RSV1 marks a deflated message
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
    }
}
