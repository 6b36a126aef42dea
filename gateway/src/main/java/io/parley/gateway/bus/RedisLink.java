package io.parley.gateway.bus;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's connections to Redis: one for commands (routing look-ups, registrations), one for
 * the bus's publications, and its subscriptions ({@link BusSubscription}). Three topologies, by
 * the URL's scheme:
 * <ul>
 *   <li>{@code redis://}, {@code rediss://}: one Redis server;</li>
 *   <li>{@code redis-sentinel://h1:26379,h2:26379#master}: the current primary of a Sentinel-watched
 *   group (at each reconnect Lettuce asks the sentinels again, so after a failover the connections
 *   reach the new primary);</li>
 *   <li>{@code redis-cluster://h1:6379,h2:6379}: Redis Cluster; commands go to the master owning
 *   their key's slot, node channels are sharded ({@link #sharded()}), and the client's view of
 *   the cluster is refreshed periodically and whenever Redis redirects a command.</li>
 * </ul>
 * Lettuce reconnects by itself; {@link #onReconnect} tells the bus and the user registry, which
 * must restore what a restarted (empty) Redis or a promoted replica forgot.
 *
 * <p>Bounds: every command has a deadline ({@link ClusterOptions#commandTimeout()}), the client's
 * queue has a capacity ({@link ClusterOptions#requestQueueSize()}), and while Redis is down
 * commands fail at once instead of piling up ({@code REJECT_COMMANDS}; in Redis Cluster they wait
 * for a master's connection within their deadline).
 */
public final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /** Keys are text, values (frames, node ids) bytes: one codec for both connections. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    static final String CLUSTER_SCHEME = "redis-cluster://";
    /** The URL schemes {@code redis_url} takes, for messages. */
    public static final String SCHEMES = "redis://, rediss://, redis-sentinel:// or redis-cluster://";

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final boolean sharded;
    private final StatefulConnection<String, byte[]> commands;
    private final RedisClusterAsyncCommands<String, byte[]> commandsAsync;
    /** The bus's publications only: flushed in batches by {@link RoutedPublisher}. */
    private final StatefulConnection<String, byte[]> publications;
    private final RedisClusterAsyncCommands<String, byte[]> publicationsAsync;
    private final BusSubscription subscription;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    /** The command connection's state on one Redis or Sentinel; Redis Cluster's client follows each master itself. */
    private final AtomicBoolean commandsUp = new AtomicBoolean(true);
    /** The Redis server the command connection last reached: a different one after a reconnect is a failover. */
    private final AtomicReference<SocketAddress> server = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BusMetrics metrics;
    private final Endpoints endpoints;

    private RedisLink(ClusterOptions options, BusMetrics metrics, MeterRegistry registry) {
        this.metrics = metrics;
        this.endpoints = new Endpoints(metrics);
        // Two I/O threads are plenty for three connections; the default sizes by cores, per node.
        // Reconnect quickly: Lettuce's default backs off to 30 s, a long outage after a short blip.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), options.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
                // Per-command latency to Redis (lettuce_command_completion/firstresponse_seconds, by
                // server address), into the node's registry instead of Lettuce's periodic events.
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(registry, MicrometerOptions.create()))
                .build();
        this.sharded = options.redisUrl().startsWith(CLUSTER_SCHEME);
        Opened opened;
        try {
            opened = sharded ? openCluster(options) : openOne(options);
        } catch (RuntimeException e) {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to Redis at " + redacted(options.redisUrl()) + ": "
                    + e.getMessage(), e);
        }
        this.client = opened.client();
        this.commands = opened.commands();
        this.commandsAsync = opened.commandsAsync();
        this.publications = opened.publications();
        this.publicationsAsync = opened.publicationsAsync();
        this.subscription = opened.subscription();
        metrics.gauge("parley.bus.connected", "1 while commands reach Redis and this node's channel is subscribed",
                () -> isUp() && subscription.isSubscribed() ? 1 : 0);
    }

    /** What a topology's client opened: its command and publication connections and the subscriptions. */
    private record Opened(AbstractRedisClient client, StatefulConnection<String, byte[]> commands,
                          RedisClusterAsyncCommands<String, byte[]> commandsAsync,
                          StatefulConnection<String, byte[]> publications,
                          RedisClusterAsyncCommands<String, byte[]> publicationsAsync, BusSubscription subscription) {
    }

    /** Redis Cluster: commands by slot, subscriptions that follow this node's channel's master. */
    private Opened openCluster(ClusterOptions options) {
        List<RedisURI> seeds = clusterSeeds(options.redisUrl(), options.commandTimeout());
        RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
        ClusterClientOptions.Builder clusterOptions = bounded(ClusterClientOptions.builder(), options);
        // Connections to the masters open lazily, at their first command: refusing commands while
        // one connects would fail the first command to every master. They wait instead, bounded by
        // the command deadline and the queue size.
        clusterOptions.disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS);
        // A failover moves slots to a replica: learn it from redirects and failed connections at
        // once, and at least every second.
        clusterOptions.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .enablePeriodicRefresh(Duration.ofSeconds(1))
                .build());
        cluster.setOptions(clusterOptions.build());
        cluster.addListener(endpoints);
        resources.eventBus().get().subscribe(event -> {
            if (event instanceof ClusterTopologyChangedEvent changed) {
                topologyChanged(changed);
            }
        });
        StatefulRedisClusterConnection<String, byte[]> commands = cluster.connect(CODEC);
        StatefulRedisClusterConnection<String, byte[]> publications = cluster.connect(CODEC);
        return new Opened(cluster, commands, commands.async(), publications, publications.async(),
                new ShardSubscription(cluster, resources, seeds.get(0), options.commandTimeout(), endpoints,
                        this::reconnected));
    }

    /** One Redis, or Sentinel's primary: everything on one server. */
    private Opened openOne(ClusterOptions options) {
        RedisURI uri = RedisURI.create(options.redisUrl());
        uri.setTimeout(options.commandTimeout());
        RedisClient one = RedisClient.create(resources, uri);
        one.setOptions(bounded(ClientOptions.builder(), options)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        one.addListener(endpoints);
        one.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                connected(connection, address);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                disconnected(connection);
            }
        });
        StatefulRedisConnection<String, byte[]> commands = one.connect(CODEC);
        StatefulRedisConnection<String, byte[]> publications = one.connect(CODEC);
        return new Opened(one, commands, commands.async(), publications, publications.async(),
                new PlainSubscription(one.connectPubSub(CODEC), options.commandTimeout()));
    }

    /** What both topologies' clients share: reconnecting, and a deadline and a queue bound for every command. */
    private static <B extends ClientOptions.Builder> B bounded(B builder, ClusterOptions options) {
        builder.autoReconnect(true)
                .requestQueueSize(options.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build());
        return builder;
    }

    /**
     * The seed nodes of a {@code redis-cluster://[user:password@]host:port,host:port} URL (any
     * reachable one tells the client the whole cluster).
     */
    static List<RedisURI> clusterSeeds(String url, Duration timeout) {
        String rest = url.substring(CLUSTER_SCHEME.length());
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? null : rest.substring(0, at);
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        int end = hosts.indexOf('/');
        if (end >= 0) {
            hosts = hosts.substring(0, end);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.split(",")) {
            int colon = host.lastIndexOf(':');
            if (host.isBlank() || colon <= 0) {
                throw new IllegalArgumentException("redis-cluster:// needs host:port pairs separated by commas, got '" + host + "'");
            }
            RedisURI.Builder seed = RedisURI.Builder.redis(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1)))
                    .withTimeout(timeout);
            if (userInfo != null) {
                int colonInUser = userInfo.indexOf(':');
                String user = colonInUser < 0 ? "" : userInfo.substring(0, colonInUser);
                String password = colonInUser < 0 ? userInfo : userInfo.substring(colonInUser + 1);
                if (user.isEmpty()) {
                    seed.withPassword(password.toCharArray());
                } else {
                    seed.withAuthentication(user, password);
                }
            }
            seeds.add(seed.build());
        }
        return seeds;
    }

    public static boolean supports(String url) {
        return url.startsWith("redis://") || url.startsWith("rediss://") || url.startsWith("redis-sentinel://")
                || url.startsWith(CLUSTER_SCHEME);
    }

    /** The topology a supported URL names: {@code redis} (one server), {@code redis-sentinel} or {@code redis-cluster}. */
    public static String topology(String url) {
        if (url.startsWith(CLUSTER_SCHEME)) {
            return "redis-cluster";
        }
        return url.startsWith("redis-sentinel://") ? "redis-sentinel" : "redis";
    }

    /** Connects now; fails fast (start-up) when Redis does not answer. */
    public static RedisLink connect(ClusterOptions options, BusMetrics metrics, MeterRegistry registry) {
        return new RedisLink(options, metrics, registry);
    }

    /** Commands for whatever topology: in Redis Cluster each goes to the master of its key's slot. */
    public RedisClusterAsyncCommands<String, byte[]> async() {
        return commandsAsync;
    }

    /** A connection of its own for the bus's publications (see {@link RoutedPublisher}). */
    StatefulConnection<String, byte[]> publications() {
        return publications;
    }

    RedisClusterAsyncCommands<String, byte[]> publicationCommands() {
        return publicationsAsync;
    }

    /**
     * Whether node channels are sharded (Redis Cluster): published with {@code SPUBLISH} on the
     * master owning the channel's slot, so routing to each node is a command of its own.
     */
    boolean sharded() {
        return sharded;
    }

    /** A Lettuce thread for small hand-offs that must not run on the caller's thread (flushes). */
    Executor worker() {
        return resources.eventExecutorGroup();
    }

    BusSubscription subscription() {
        return subscription;
    }

    /** Whether commands can reach Redis (in Redis Cluster, tracked per master by the client itself). */
    public boolean isUp() {
        return commandsUp.get() && commands.isOpen();
    }

    /** Runs {@code listener} (on a Lettuce thread; it must not block) each time the command connection comes back. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    private void connected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        // The first connect happens inside client.connect(), before the field is set.
        if (commands == null || connection != commands) {
            server.compareAndSet(null, address);
            return;
        }
        SocketAddress before = server.getAndSet(address);
        if (!commandsUp.compareAndSet(false, true)) {
            return;
        }
        metrics.reconnected();
        if (before != null && !before.equals(address)) {
            // With Sentinel, Lettuce asks the sentinels for the primary at each connect.
            metrics.failedOver();
            log.warn("Redis connection restored to another server, {} (was {}): a failover", address, before);
        } else {
            log.info("Redis connection restored");
        }
        reconnected();
    }

    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == commands && !closed.get() && commandsUp.compareAndSet(true, false)) {
            log.warn("Redis connection lost; local delivery goes on, cross-node delivery resumes when it is back");
        }
    }

    /** Redis Cluster: a master's slots went to another server (a failover) or the masters changed. */
    private void topologyChanged(ClusterTopologyChangedEvent event) {
        Set<String> before = masters(event.before());
        Set<String> after = masters(event.after());
        if (before.isEmpty() || before.equals(after) || closed.get()) {
            return;
        }
        metrics.failedOver();
        log.warn("Redis Cluster masters changed from {} to {}: a failover or a resharding", before, after);
        reconnected();
    }

    private static Set<String> masters(List<RedisClusterNode> nodes) {
        return nodes.stream().filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty())
                .map(node -> node.getUri().getHost() + ":" + node.getUri().getPort()).collect(Collectors.toSet());
    }

    private void reconnected() {
        reconnectListeners.forEach(listener -> {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("reconnect listener failed", e);
            }
        });
    }

    /** Counts the connections open to each Redis server, for {@link BusMetrics#endpointConnections}. */
    private static final class Endpoints implements RedisConnectionStateListener {
        private final BusMetrics metrics;
        private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
        private final Map<RedisChannelHandler<?, ?>, String> endpointOf = new ConcurrentHashMap<>();

        Endpoints(BusMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            String endpoint = address instanceof InetSocketAddress inet
                    ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(address);
            if (endpointOf.put(connection, endpoint) == null) {
                open.computeIfAbsent(endpoint, e -> {
                    AtomicInteger count = new AtomicInteger();
                    metrics.endpointConnections(e, count::get);
                    return count;
                }).incrementAndGet();
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            String endpoint = endpointOf.remove(connection);
            if (endpoint != null) {
                open.get(endpoint).decrementAndGet();
            }
        }
    }

    /** The URL without its password ({@code redis://user:secret@host} -> {@code redis://user:***@host}). */
    public static String redacted(String url) {
        return url.replaceFirst("^(redis(?:s|-sentinel|-cluster)?://[^:@/]*:)[^@/]*@", "$1***@");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        subscription.close();
        publications.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
