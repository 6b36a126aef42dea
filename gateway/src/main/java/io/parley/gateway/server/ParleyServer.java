package io.parley.gateway.server;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.parley.gateway.auth.DevTokenMinter;
import io.parley.gateway.auth.JwtKeys;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.MessageIds;
import io.parley.gateway.handshake.DialectEndpoint;
import io.parley.gateway.handshake.EventsEndpoint;
import io.parley.gateway.handshake.OriginPolicy;
import io.parley.gateway.handshake.WebSocketHandshakeHandler;
import io.parley.gateway.http.DevTokensRoute;
import io.parley.gateway.http.HealthRoutes;
import io.parley.gateway.http.HttpRoute;
import io.parley.gateway.http.HttpResponses;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.http.MetricsRoute;
import io.parley.gateway.http.StaticPageRoute;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.UserPresence;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.protocol.events.EventsCodec;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;
import io.parley.storage.JdbcHistoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One running Parley node: the composition root that wires storage, chat core, bus and the
 * Netty server together. {@link #start} returns a node that is already listening; {@link #close}
 * shuts it down gracefully.
 */
public final class ParleyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);

    private final ParleyConfig config;
    private final JwtKeys keys;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final HistoryService history;
    private final Bus bus;
    private final SessionRegistry sessions;
    private final UserPresence presence;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private volatile boolean draining;

    private ParleyServer(ParleyConfig config) throws InterruptedException {
        this.config = config;
        this.keys = JwtKeys.fromConfig(config);
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.gcMetrics = new JvmGcMetrics();
        bindJvmMetrics(registry, gcMetrics);
        GatewayMetrics metrics = new GatewayMetrics(registry);
        this.history = new HistoryService(openStore(config), historyOptions(config), registry);
        Clock clock = Clock.systemUTC();
        BusWiring wiring = BusWiring.create(config, history, metrics, registry, clock);
        this.sessions = wiring.sessions();
        this.bus = wiring.bus();
        this.presence = wiring.presence();
        ChatService chat = new ChatService(history, wiring.directory(),
                new MessageIds(config.nodeId(), clock), bus, clock, config.maxTextLength(), metrics);

        List<DialectEndpoint> endpoints = List.of(new EventsEndpoint(new EventsCodec()));
        HttpRouter router = new HttpRouter(routes(clock), endpoints);
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxFrameBytes())
                .allowExtensions(false)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
        WebSocketHandshakeHandler handshake = new WebSocketHandshakeHandler(endpoints,
                new TokenVerifier(keys.verificationAlgorithm(), config.jwtIssuer(), config.jwtAudience(), config.jwtLeeway()),
                new OriginPolicy(config.allowedOrigins()), decoderConfig, sessions, metrics,
                ParleyChannelInitializer.webSocketPhase(chat, sessions, metrics, config.maxFrameBytes(),
                        config.idleTimeout()));

        Transport transport = Transport.best();
        this.bossGroup = transport.newGroup(1);
        this.workerGroup = transport.newGroup(0);
        this.serverChannel = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.maxOutboundBytes() / 2, config.maxOutboundBytes()))
                .childHandler(new ParleyChannelInitializer(router, handshake, config.handshakeTimeout()))
                .bind(new InetSocketAddress(config.bindAddress(), config.port()))
                .sync()
                .channel();
        log.info("Parley node {} listening on {} ({}), config: {}", config.nodeId(), serverChannel.localAddress(),
                transport.name(), config);
    }

    /** Starts a node; it is listening when this returns. Fails fast on bad configuration or a taken port. */
    public static ParleyServer start(ParleyConfig config) {
        try {
            return new ParleyServer(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public JwtKeys keys() {
        return keys;
    }

    public ParleyConfig config() {
        return config;
    }

    /** Who is online, on this node or (with Redis) anywhere in the cluster. */
    public UserPresence presence() {
        return presence;
    }

    /** Metrics, as {@code GET /metrics} shows them (tests, benchmarks). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** What an SRE needs beside Parley's own meters: memory, GC, threads, CPU, open files. */
    private static void bindJvmMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private Map<String, HttpRoute> routes(Clock clock) {
        Map<String, HttpRoute> routes = new LinkedHashMap<>();
        routes.put("/", new StaticPageRoute("/web/index.html", "text/html; charset=utf-8"));
        routes.put("/favicon.ico", (ctx, request) ->
                HttpResponses.send(ctx, request, HttpResponseStatus.NO_CONTENT, "image/x-icon", new byte[0]));
        routes.put("/health", HealthRoutes.health());
        routes.put("/ready", HealthRoutes.ready(history, () -> draining));
        routes.put("/metrics", new MetricsRoute(registry));
        if (config.devTokens()) {
            routes.put(DevTokensRoute.PATH, new DevTokensRoute(
                    new DevTokenMinter(keys.signingSecret(), config.devTokenTtl(), clock)));
        }
        return routes;
    }

    private static HistoryStore openStore(ParleyConfig config) {
        if (config.storageUrl() != null) {
            return JdbcHistoryStore.postgres(config.storageUrl(), config.storageUser(), config.storagePassword());
        }
        return JdbcHistoryStore.embedded(config.dataDir());
    }

    private static HistoryOptions historyOptions(ParleyConfig config) {
        return HistoryOptions.builder()
                .writeQueueCapacity(config.historyQueueCapacity())
                .maxBatchSize(config.historyBatchSize())
                .operationTimeout(config.historyTimeout())
                .build();
    }

    /**
     * Graceful shutdown: stop accepting, tell every client to go elsewhere (1001), commit what is
     * queued — its publications go out on the bus as each commit completes — and only then close
     * the bus (which waits for publications in flight and leaves the cluster), then stop the threads.
     */
    @Override
    public void close() {
        draining = true;
        serverChannel.close().syncUninterruptibly();
        for (Session session : sessions.all()) {
            Channel channel = session.channel();
            channel.eventLoop().execute(() -> channel.writeAndFlush(
                    new CloseWebSocketFrame(CloseCodes.GOING_AWAY.code(), "node shutting down"))
                    .addListener(ChannelFutureListener.CLOSE));
        }
        history.close();
        bus.close();
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        gcMetrics.close();
        registry.close();
        log.info("Parley node {} stopped", config.nodeId());
    }
}
