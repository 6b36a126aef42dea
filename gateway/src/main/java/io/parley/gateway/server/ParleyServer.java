package io.parley.gateway.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.parley.gateway.admin.NodeView;
import io.parley.gateway.attachments.AttachmentCollector;
import io.parley.gateway.attachments.AttachmentFiles;
import io.parley.gateway.attachments.AttachmentOptions;
import io.parley.gateway.attachments.BlobStore;
import io.parley.gateway.attachments.BlobStores;
import io.parley.gateway.attachments.DownloadRoute;
import io.parley.gateway.auth.DevTokenMinter;
import io.parley.gateway.auth.JwtKeys;
import io.parley.gateway.auth.Revocations;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.connection.ConnectionPipeline;
import io.parley.gateway.connection.DialectEndpoint;
import io.parley.gateway.connection.Transport;
import io.parley.gateway.core.ChatService;
import io.parley.gateway.core.CoreContext;
import io.parley.gateway.core.OutboxEvents;
import io.parley.gateway.core.MessageIds;
import io.parley.gateway.dialect.actions.ActionsEndpoint;
import io.parley.gateway.dialect.events.EventsEndpoint;
import io.parley.gateway.dialect.feed.FeedEndpoint;
import io.parley.gateway.dialect.pair.PairEndpoint;
import io.parley.gateway.dialect.typed.TypedEndpoint;
import io.parley.gateway.http.AdminApiRoute;
import io.parley.gateway.http.AssetsRoute;
import io.parley.gateway.http.ChatsApiRoute;
import io.parley.gateway.http.DevTokensRoute;
import io.parley.gateway.http.HealthRoutes;
import io.parley.gateway.http.HttpResponses;
import io.parley.gateway.http.HttpRoute;
import io.parley.gateway.http.HttpRouter;
import io.parley.gateway.http.ServerApiRoute;
import io.parley.gateway.http.MetricsRoute;
import io.parley.gateway.http.PresenceApiRoute;
import io.parley.gateway.http.StaticPageRoute;
import io.parley.gateway.limits.ConnectionLimits;
import io.parley.gateway.logging.ConnectionMdc;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.presence.PresenceAnnouncer;
import io.parley.gateway.presence.PresenceSnapshots;
import io.parley.gateway.session.FlushBatch;
import io.parley.gateway.session.OnlineUsers;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.gateway.websocket.CloseCodes;
import io.parley.gateway.websocket.CloseStarted;
import io.parley.gateway.webhook.WebhookDispatcher;
import io.parley.gateway.webhook.WebhookOptions;
import io.parley.protocol.actions.ActionsCodec;
import io.parley.protocol.events.EventsCodec;
import io.parley.protocol.feed.FeedCodec;
import io.parley.protocol.pair.PairCodec;
import io.parley.protocol.typed.TypedCodec;
import io.parley.storage.HistoryOptions;
import io.parley.storage.HistoryService;
import io.parley.storage.HistoryStore;
import io.parley.storage.HistoryStore;
import io.parley.storage.JdbcHistoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.parley.gateway.config.Settings.BIND_ADDRESS;
import static io.parley.gateway.config.Settings.DATA_DIR;
import static io.parley.gateway.config.Settings.ATTACHMENT_STORE;
import static io.parley.gateway.config.Settings.REDIS_URL;
import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.DEV_TOKEN_TTL;
import static io.parley.gateway.config.Settings.FEED_HEARTBEAT_INTERVAL;
import static io.parley.gateway.config.Settings.HANDSHAKE_TIMEOUT;
import static io.parley.gateway.config.Settings.IO_THREADS;
import static io.parley.gateway.config.Settings.JWT_AUDIENCE;
import static io.parley.gateway.config.Settings.JWT_ISSUER;
import static io.parley.gateway.config.Settings.JWT_JWKS_URL;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static io.parley.gateway.config.Settings.JWT_PUBLIC_KEY_FILE;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static io.parley.gateway.config.Settings.MAX_CHATS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_ADDRESS;
import static io.parley.gateway.config.Settings.MAX_CONNECTIONS_PER_USER;
import static io.parley.gateway.config.Settings.MAX_OUTBOUND_BYTES;
import static io.parley.gateway.config.Settings.MAX_TEXT_LENGTH;
import static io.parley.gateway.config.Settings.NODE_ID;
import static io.parley.gateway.config.Settings.PORT;
import static io.parley.gateway.config.Settings.PRESENCE_OFFLINE_GRACE;
import static io.parley.gateway.config.Settings.SHUTDOWN_CLOSE_WINDOW;
import static io.parley.gateway.config.Settings.SHUTDOWN_GRACE;
import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;

/**
 * One running Parley node: the composition root that wires storage, chat core, bus and the
 * Netty server together. {@link #start} returns a node that is already listening; {@link #close}
 * shuts it down gracefully.
 */
public final class ParleyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);
    /** Shutdown: longest wait for clients to answer the 1001 close frame. */
    private static final Duration CLOSE_HANDSHAKE_GRACE = Duration.ofSeconds(2);
    /** How often unused attachments are looked for; they wait attachment_ttl first anyway. */
    private static final Duration COLLECT_ATTACHMENTS_EVERY = Duration.ofMinutes(1);

    private final ParleyConfig config;
    private final JwtKeys keys;
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final HistoryService history;
    private final AutoCloseable webhooks;
    private final Bus bus;
    private final SessionRegistry sessions;
    private final OnlineUsers onlineUsers;
    private final PresenceAnnouncer presence;
    private final AutoCloseable deadNodeSweep;
    private final BlobStore blobs;
    private final AttachmentFiles attachments;
    private final AttachmentCollector attachmentCollector;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;
    private volatile boolean draining;

    private ParleyServer(ParleyConfig config, OpenedResources opened) {
        this.config = config;
        this.keys = opened.add(JwtKeys.of(config.get(JWT_PUBLIC_KEY_FILE), config.get(JWT_SECRET), config.get(JWT_JWKS_URL)));
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        opened.add(registry::close);
        this.gcMetrics = opened.add(new JvmGcMetrics());
        bindJvmMetrics(registry, gcMetrics);
        GatewayMetrics metrics = new GatewayMetrics(registry);
        HistoryOptions historyOptions = config.history();
        this.history = opened.add(new HistoryService(openStore(config, historyOptions, registry), historyOptions,
                registry));
        Clock clock = Clock.systemUTC();
        WebhookOptions webhookOptions = WebhookOptions.from(config);
        WebhookDispatcher webhookDispatcher = webhookOptions == null ? null
                : opened.add(WebhookDispatcher.start(webhookOptions, history, registry, clock));
        this.webhooks = webhookDispatcher == null ? () -> { } : webhookDispatcher;
        FlushBatch.PerLoop flushes = new FlushBatch.PerLoop();
        Revocations revocations = new Revocations(history.call("revocations", HistoryStore::revocations).join());
        Gauge.builder("parley.revoked.users", revocations, Revocations::size)
                .description("Users whose older tokens the application revoked (one entry each, in memory)")
                .register(registry);
        BusWiring wiring = BusWiring.create(config, history, metrics, registry, clock, flushes, revocations);
        this.sessions = wiring.sessions();
        this.bus = opened.add(wiring.bus());
        this.onlineUsers = wiring.onlineUsers();
        MessageIds ids = new MessageIds(config.get(NODE_ID), clock);
        CoreContext core = new CoreContext(history, wiring.directory(), ids, bus, clock, config.get(MAX_TEXT_LENGTH),
                config.get(MAX_CHATS_PER_USER), metrics, wiring.onlineUsers(),
                webhookDispatcher == null ? OutboxEvents.off() : OutboxEvents.on(ids, webhookDispatcher::nudge));
        this.presence = new PresenceAnnouncer(sessions, history, bus, clock, wiring.onlineUsers(),
                config.get(PRESENCE_OFFLINE_GRACE));
        this.deadNodeSweep = opened.add(wiring.deadNodeSweep().apply(presence::usersNodeDied));
        PresenceSnapshots snapshots = new PresenceSnapshots(history, wiring.onlineUsers(), wiring.lastSeen(),
                config.get(PRESENCE_OFFLINE_GRACE), clock, metrics);
        ChatService chat = new ChatService(core, presence, snapshots, wiring.cutOff(), wiring.notices());
        this.blobs = opened.add(openBlobStore(config));
        this.attachments = opened.add(new AttachmentFiles(AttachmentOptions.from(config), blobs,
                chat.attachments(), config.get(DATA_DIR).resolve("uploads"), clock, registry));
        this.attachmentCollector = opened.add(new AttachmentCollector(blobs, history, clock,
                COLLECT_ATTACHMENTS_EVERY, registry));
        TokenVerifier tokens = keys.verifier(config.get(JWT_ISSUER), config.get(JWT_AUDIENCE), config.get(JWT_LEEWAY))
                .withRevocations(revocations);
        ConnectionLimits limits = new ConnectionLimits(config.get(MAX_CONNECTIONS_PER_USER),
                config.get(MAX_CONNECTIONS_PER_ADDRESS), metrics);
        SslContext tls = Tls.serverContext(config);

        List<DialectEndpoint> endpoints = List.of(
                new EventsEndpoint(new EventsCodec()),
                new TypedEndpoint(new TypedCodec()),
                new ActionsEndpoint(new ActionsCodec()),
                new PairEndpoint(new PairCodec(), tokens, chat, config.get(HANDSHAKE_TIMEOUT), metrics),
                new FeedEndpoint(new FeedCodec(clock), chat, config.get(FEED_HEARTBEAT_INTERVAL)));
        ServerApiRoute serverApi = new ServerApiRoute(chat.application(), tokens);
        Map<String, HttpRoute> routes = routes(clock);
        routes.put(PresenceApiRoute.PATH, new PresenceApiRoute(chat, tokens));
        routes.put(AdminApiRoute.PATH, new AdminApiRoute(
                new NodeView(config, registry, wiring.cluster(), metrics.refusedHandshakes()), tokens));
        HttpRouter router = new HttpRouter(routes, Map.of(ChatsApiRoute.PATH,
                        new ChatsApiRoute(chat, tokens, serverApi), ServerApiRoute.USERS_PATH, serverApi,
                        DownloadRoute.PATH, new DownloadRoute(attachments, tokens), AssetsRoute.PATH, new AssetsRoute()),
                uri -> endpoints.stream().anyMatch(endpoint -> endpoint.matches(uri)));
        ConnectionPipeline pipeline = new ConnectionPipeline(config, tls, limits, metrics, router, endpoints, tokens,
                chat, sessions, presence, flushes, attachments);

        Transport transport = Transport.best();
        this.bossGroup = transport.newGroup(1);
        opened.add(() -> bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        this.workerGroup = transport.newGroup(config.get(IO_THREADS));
        opened.add(() -> workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        bindNettyMetrics(registry, workerGroup);
        this.serverChannel = listen(new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .attr(ConnectionMdc.NODE, config.get(NODE_ID)) // on the server channel, for connections' log lines
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.get(MAX_OUTBOUND_BYTES) / 2, config.get(MAX_OUTBOUND_BYTES)))
                .childHandler(pipeline), new InetSocketAddress(config.get(BIND_ADDRESS), config.get(PORT)));
        log.info("Parley node {} listening on {} ({}{}), config: {}", config.get(NODE_ID), serverChannel.localAddress(),
                transport.name(), tls == null ? ", plain ws" : ", wss via " + Tls.provider(), config);
    }

    /**
     * Starts a node; it is listening when this returns. Fails fast on bad configuration, an
     * unreachable store or Redis, or a taken port, having closed whatever it had opened.
     */
    public static ParleyServer start(ParleyConfig config) {
        OpenedResources opened = new OpenedResources();
        try {
            return new ParleyServer(config, opened);
        } catch (RuntimeException | Error e) {
            opened.closeAfter(e);
            throw e;
        }
    }

    private static Channel listen(ServerBootstrap bootstrap, InetSocketAddress address) {
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + " (port, bind_address): " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
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
    public OnlineUsers onlineUsers() {
        return onlineUsers;
    }

    /** Metrics, as {@code GET /metrics} shows them (tests, benchmarks). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** What an SRE needs beside Parley's own meters: memory, GC, threads, CPU, open files. */
    private static void bindJvmMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        Gauge.builder("parley.build.info", () -> 1).description("Always 1; the tags say what is running")
                .tag("version", BuildInfo.version()).tag("java", System.getProperty("java.version")).register(registry);
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
        routes.put("/admin", new StaticPageRoute("/web/admin.html", "text/html; charset=utf-8"));
        routes.put("/explorer", new StaticPageRoute("/web/explorer.html", "text/html; charset=utf-8"));
        routes.put("/favicon.ico", (ctx, request) ->
                HttpResponses.send(ctx, request, HttpResponseStatus.NO_CONTENT, "image/x-icon", new byte[0]));
        // The contracts, served so that nobody has to ask (README links them).
        routes.put("/asyncapi.yaml", new StaticPageRoute("/docs/asyncapi.yaml", "application/yaml; charset=utf-8"));
        routes.put("/openapi.yaml", new StaticPageRoute("/docs/openapi.yaml", "application/yaml; charset=utf-8"));
        routes.put("/asyncapi.json", StaticPageRoute.yamlAsJson("/docs/asyncapi.yaml"));
        routes.put("/openapi.json", StaticPageRoute.yamlAsJson("/docs/openapi.yaml"));
        // The contracts as pages: Swagger UI for the REST API, the AsyncAPI document rendered.
        routes.put("/docs", new StaticPageRoute("/web/docs.html", "text/html; charset=utf-8"));
        routes.put("/docs/asyncapi", new StaticPageRoute("/web/asyncapi.html", "text/html; charset=utf-8"));
        routes.put(HealthRoutes.HEALTH_PATH, HealthRoutes.health());
        routes.put(HealthRoutes.READY_PATH, HealthRoutes.ready(history, () -> draining, bus::connected));
        routes.put("/metrics", new MetricsRoute(registry));
        if (config.get(DEV_TOKENS)) {
            routes.put(DevTokensRoute.PATH, new DevTokensRoute(
                    new DevTokenMinter(keys.signingSecret(), config.get(DEV_TOKEN_TTL), clock)));
        }
        return routes;
    }

    /**
     * The allocator every channel uses (Netty's default) and the worker loops' pending tasks: a
     * loop whose queue grows is one that something blocks.
     */
    private static void bindNettyMetrics(MeterRegistry registry, EventLoopGroup workers) {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
        new NettyEventExecutorMetrics(workers).bindTo(registry);
    }

    /** Files on this node's disk unless attachment_store says otherwise; in a cluster that is worth a warning. */
    private static BlobStore openBlobStore(ParleyConfig config) {
        BlobStore blobs = BlobStores.open(config.get(ATTACHMENT_STORE), config.get(DATA_DIR));
        if (config.get(REDIS_URL) != null && config.get(ATTACHMENT_STORE) == null) {
            log.warn("attachments are kept on this node's disk ({}): the other nodes cannot serve them. In a cluster"
                    + " set attachment_store to s3://... or a directory all nodes share (file:/...)", blobs.describe());
        }
        return blobs;
    }

    /** The store's pools are sized from the options and report HikariCP's meters to the registry. */
    private static HistoryStore openStore(ParleyConfig config, HistoryOptions options, MeterRegistry registry) {
        if (config.get(STORAGE_URL) != null) {
            return JdbcHistoryStore.postgres(config.get(STORAGE_URL), config.get(STORAGE_USER), config.get(STORAGE_PASSWORD),
                    options, registry);
        }
        return JdbcHistoryStore.embedded(config.get(DATA_DIR), options, registry);
    }

    /**
     * Graceful shutdown, in the order a rolling restart needs: answer {@code /ready} with 503 and
     * keep serving for {@code shutdown_grace} (load balancers take the node out); stop accepting;
     * tell every client to go elsewhere (1001, then take no more messages from it), spread over
     * {@code shutdown_close_window} so they do not all reconnect at once; commit what is queued —
     * its publications go out on the bus as each commit completes — and only then close the bus
     * (which waits for publications in flight and leaves the cluster); wait (bounded) for clients
     * to answer the close; stop the threads.
     */
    @Override
    public void close() {
        draining = true;
        Duration grace = config.get(SHUTDOWN_GRACE);
        Duration window = config.get(SHUTDOWN_CLOSE_WINDOW);
        log.info("Parley node {} stopping: not ready from now on, serving for {} more, then closing sockets over {}",
                config.get(NODE_ID), grace, window);
        sleep(grace);
        serverChannel.close().syncUninterruptibly();
        List<Channel> open = goAwaySpread(window);
        sleep(window);
        presence.endGraces();
        closeQuietly(webhooks); // before the store: in-flight outcomes are recorded
        attachmentCollector.close();
        history.close();
        closeQuietly(deadNodeSweep);
        bus.close();
        awaitClosed(open);
        attachments.close(); // uploads still on their pool have lost their sockets by now
        blobs.close();
        workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        keys.close();
        gcMetrics.close();
        registry.close();
        log.info("Parley node {} stopped", config.get(NODE_ID));
    }

    /** Sends every session's 1001 at its own moment within {@code window}: slot by slot, jittered in its slot. */
    private List<Channel> goAwaySpread(Duration window) {
        List<Session> all = sessions.all();
        List<Channel> open = new ArrayList<>(all.size());
        long slotNanos = all.isEmpty() ? 0 : window.toNanos() / all.size();
        for (int i = 0; i < all.size(); i++) {
            Channel channel = all.get(i).channel();
            open.add(channel);
            long delay = slotNanos * i + (slotNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(slotNanos));
            channel.eventLoop().schedule(() -> goAway(channel), delay, TimeUnit.NANOSECONDS);
        }
        return open;
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("could not close {}: {}", resource, e.toString());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends 1001 and half-closes: nothing is written after the close frame, but the socket is read
     * until the client answers (its data frames discarded, see {@link CloseStarted}). Closing at
     * once instead would leave the client's in-flight frames unread, so the kernel answers with a
     * reset that can destroy the close frame before the client reads it.
     */
    private static void goAway(Channel channel) {
        channel.pipeline().fireUserEventTriggered(CloseStarted.INSTANCE);
        channel.writeAndFlush(new CloseWebSocketFrame(CloseCodes.GOING_AWAY.code(), "node shutting down"))
                .addListener(sent -> {
                    if (sent.isSuccess() && channel instanceof DuplexChannel duplex) {
                        duplex.shutdownOutput();
                    } else {
                        channel.close();
                    }
                });
    }

    /** Waits (bounded) for clients to answer the close frame; the worker group closes the rest. */
    private static void awaitClosed(List<Channel> channels) {
        long deadline = System.nanoTime() + CLOSE_HANDSHAKE_GRACE.toNanos();
        for (Channel channel : channels) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !channel.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }
}
