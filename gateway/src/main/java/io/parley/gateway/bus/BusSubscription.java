package io.parley.gateway.bus;

import io.lettuce.core.pubsub.RedisPubSubListener;

/**
 * This node's subscriptions: its own channel and the broadcast channels, kept alive through
 * reconnects and failovers. Messages of every channel go to one listener, on a Lettuce thread.
 */
interface BusSubscription extends AutoCloseable {

    /** Subscribes, waiting (bounded by the command timeout); fails when Redis does not answer. */
    void start(RedisPubSubListener<String, byte[]> listener, String ownChannel, String... broadcastChannels);

    /** Whether messages published now would reach this node. */
    boolean isSubscribed();

    @Override
    void close();
}
