package io.parley.gateway.bus;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's connections to Redis: one for commands (routing look-ups, registrations), one for
 * the bus's publications, one for its subscriptions; to one Redis server, or through Redis
 * Sentinel to the current primary ({@code redis-sentinel://} URLs: at each reconnect Lettuce asks
 * the sentinels again, so after a failover the connections reach the new primary). Lettuce reconnects both by itself and renews the
 * subscriptions; {@link #onReconnect} tells the bus and the user registry, which must restore
 * what a restarted (empty) Redis forgot.
 *
 * <p>Bounds: every command has a deadline ({@link ClusterOptions#commandTimeout()}), the client's
 * queue has a capacity ({@link ClusterOptions#requestQueueSize()}), and while Redis is down
 * commands fail at once instead of piling up ({@code REJECT_COMMANDS}).
 */
public final class RedisLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    /** Keys are text, values (frames, node ids) bytes: one codec for both connections. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> commands;
    /** The bus's publications only: flushed in batches by {@link RoutedPublisher}. */
    private final StatefulRedisConnection<String, byte[]> publications;
    private final StatefulRedisPubSubConnection<String, byte[]> subscriptions;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean commandsUp = new AtomicBoolean(true);
    /** The Redis server the command connection last reached: a different one after a reconnect is a failover. */
    private final AtomicReference<SocketAddress> server = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BusMetrics metrics;

    private RedisLink(ClusterOptions options, BusMetrics metrics, MeterRegistry registry) {
        this.metrics = metrics;
        // Two I/O threads are plenty for three connections; the default sizes by cores, per node.
        // Reconnect quickly: Lettuce's default backs off to 30 s, a long outage after a short blip.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), options.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
                // Per-command latency to Redis (lettuce_command_completion/firstresponse_seconds),
                // into the node's registry instead of Lettuce's own periodic latency events.
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(registry, MicrometerOptions.create()))
                .build();
        RedisURI uri = RedisURI.create(options.redisUrl());
        uri.setTimeout(options.commandTimeout());
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(options.requestQueueSize())
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).keepAlive(true).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                connected(connection, address);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                disconnected(connection);
            }
        });
        try {
            this.commands = client.connect(CODEC);
            this.publications = client.connect(CODEC);
            this.subscriptions = client.connectPubSub(CODEC);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot connect to Redis at " + redacted(options.redisUrl()) + ": "
                    + e.getMessage(), e);
        }
        metrics.gauge("parley.bus.connected", "1 while the Redis command connection is up", () -> commandsUp.get() ? 1 : 0);
    }

    /** Connects both connections now; fails fast (start-up) when Redis does not answer. */
    public static RedisLink connect(ClusterOptions options, BusMetrics metrics, MeterRegistry registry) {
        return new RedisLink(options, metrics, registry);
    }

    public RedisAsyncCommands<String, byte[]> async() {
        return commands.async();
    }

    /** A connection of its own for the bus's publications (see {@link RoutedPublisher}). */
    StatefulRedisConnection<String, byte[]> publications() {
        return publications;
    }

    /** A Lettuce thread for small hand-offs that must not run on the caller's thread (flushes). */
    Executor worker() {
        return resources.eventExecutorGroup();
    }

    StatefulRedisPubSubConnection<String, byte[]> subscriptions() {
        return subscriptions;
    }

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
        reconnectListeners.forEach(listener -> {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("reconnect listener failed", e);
            }
        });
    }

    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == commands && !closed.get() && commandsUp.compareAndSet(true, false)) {
            log.warn("Redis connection lost; local delivery goes on, cross-node delivery resumes when it is back");
        }
    }

    /** The URL without its password ({@code redis://user:secret@host} -> {@code redis://user:***@host}). */
    public static String redacted(String url) {
        return url.replaceFirst("^(redis(?:s|-sentinel)?://[^:@/]*:)[^@/]*@", "$1***@");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        subscriptions.close();
        publications.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
