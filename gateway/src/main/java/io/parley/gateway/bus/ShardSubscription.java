package io.parley.gateway.bus;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Subscriptions in Redis Cluster: one pub/sub connection to the master that owns this node's
 * channel's slot, with {@code SSUBSCRIBE} to that channel (sharded pub/sub: a publication stays on
 * the shard that owns its slot) and classic {@code SUBSCRIBE} to the broadcast channels (a classic
 * publication reaches every shard, so any master will do).
 *
 * <p>Followed by this class, not left to the client: after a failover the slot has a new master,
 * and a connection that reconnects to the old address would wait for it forever. A watch compares
 * the slot's master in the client's topology view (refreshed periodically and on redirects) with
 * the one subscribed to, and moves the subscription when it changed, the connection dropped, or
 * Redis unsubscribed the channel (the slot moved). Messages published meanwhile are not lost from
 * history: the sequencer fills a chat's gap when its next message arrives.
 */
final class ShardSubscription implements BusSubscription {
    private static final Logger log = LoggerFactory.getLogger(ShardSubscription.class);
    /** How often the watch looks at the slot's master. */
    private static final Duration WATCH_PERIOD = Duration.ofMillis(250);

    private final RedisClusterClient cluster;
    private final RedisClient shard;
    private final RedisURI credentials;
    private final Duration timeout;
    private final Runnable moved;
    private final ScheduledExecutorService watch;
    private RedisPubSubListener<String, byte[]> listener;
    private String ownChannel;
    private String[] broadcastChannels;
    private volatile StatefulRedisPubSubConnection<String, byte[]> connection;
    private volatile String subscribedTo;
    /** Set when the connection dropped or Redis unsubscribed the channel: subscribe again. */
    private volatile boolean lost;
    private volatile boolean closed;

    /**
     * @param credentials the seed URL's, for the connection to whichever master owns the slot
     * @param connections told of this subscription's connections opening and closing (metrics)
     * @param moved       run (on the watch's thread) after the subscription moved to another server
     *                    or came back: what Redis held may have changed with it
     */
    ShardSubscription(RedisClusterClient cluster, ClientResources resources, RedisURI credentials, Duration timeout,
                      RedisConnectionStateListener connections, Runnable moved) {
        this.cluster = cluster;
        this.timeout = timeout;
        this.moved = moved;
        this.shard = RedisClient.create(resources);
        // Never reconnect to the same address on its own: the watch decides where to go.
        shard.setOptions(ClientOptions.builder().autoReconnect(false).build());
        shard.addListener(connections);
        shard.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> dropped) {
                if (dropped == connection) {
                    lost = true;
                }
            }
        });
        this.credentials = credentials;
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-shard-subscription");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start(RedisPubSubListener<String, byte[]> listener, String ownChannel, String... broadcastChannels) {
        this.listener = listener;
        this.ownChannel = ownChannel;
        this.broadcastChannels = broadcastChannels;
        subscribe(master());
        watch.scheduleWithFixedDelay(this::check, WATCH_PERIOD.toMillis(), WATCH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isSubscribed() {
        return connection != null && !lost;
    }

    private RedisClusterNode master() {
        RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(ownChannel));
        if (master == null) {
            throw new IllegalStateException("no Redis Cluster master serves the slot of " + ownChannel);
        }
        return master;
    }

    private void check() {
        if (closed) {
            return;
        }
        try {
            RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(ownChannel));
            if (master == null) {
                return; // the topology is being refreshed; look again at the next turn
            }
            if (lost || !address(master.getUri()).equals(subscribedTo)) {
                subscribe(master); // counted as renewed subscriptions by the listener
                moved.run();
            }
        } catch (RuntimeException e) {
            log.debug("cannot subscribe to {} yet: {}", ownChannel, e.toString());
        }
    }

    private void subscribe(RedisClusterNode master) {
        RedisURI uri = RedisURI.Builder.redis(master.getUri().getHost(), master.getUri().getPort())
                .withTimeout(timeout).build();
        uri.setCredentialsProvider(credentials.getCredentialsProvider());
        StatefulRedisPubSubConnection<String, byte[]> previous = connection;
        StatefulRedisPubSubConnection<String, byte[]> next = shard.connectPubSub(RedisLink.CODEC, uri);
        try {
            next.addListener(listener);
            next.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void sunsubscribed(String channel, long count) {
                    lost = true; // the server gave the slot away
                }
            });
            next.async().ssubscribe(ownChannel).toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
            next.async().subscribe(broadcastChannels).toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (RuntimeException e) {
            next.closeAsync();
            throw e;
        }
        connection = next;
        subscribedTo = address(uri);
        lost = false;
        if (previous != null) {
            previous.closeAsync();
            log.warn("subscription to {} moved to {}", ownChannel, subscribedTo);
        }
    }

    private static String address(RedisURI uri) {
        return uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public void close() {
        closed = true;
        watch.shutdownNow();
        StatefulRedisPubSubConnection<String, byte[]> last = connection;
        if (last != null) {
            last.close();
        }
        shard.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
