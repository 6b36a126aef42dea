package io.parley.gateway.bus;

import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Subscriptions on one Redis server (or Sentinel's primary): one pub/sub connection, classic
 * {@code SUBSCRIBE}; Lettuce reconnects it (to the new primary after a failover) and subscribes
 * again by itself.
 */
final class PlainSubscription implements BusSubscription {
    private final StatefulRedisPubSubConnection<String, byte[]> connection;
    private final Duration timeout;

    PlainSubscription(StatefulRedisPubSubConnection<String, byte[]> connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
    }

    @Override
    public void start(RedisPubSubListener<String, byte[]> listener, String ownChannel, String... broadcastChannels) {
        connection.addListener(listener);
        String[] channels = new String[broadcastChannels.length + 1];
        channels[0] = ownChannel;
        System.arraycopy(broadcastChannels, 0, channels, 1, broadcastChannels.length);
        connection.async().subscribe(channels).toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public boolean isSubscribed() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }
}
