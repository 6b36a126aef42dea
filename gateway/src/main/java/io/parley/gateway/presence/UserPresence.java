package io.parley.gateway.presence;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Whether users are online anywhere in the cluster: online while at least one of their
 * connections is open on any node. Ephemeral: nothing is stored in history. The single-node
 * version ({@link LocalUserPresence}) reads this node's sessions; the cluster version
 * ({@link RedisUserRegistry}) reads the per-user node sets in Redis, the same ones the bus
 * routes by.
 *
 * <p>{@link PresenceListener}s hear the cluster-wide transitions (first connection anywhere,
 * last one anywhere closed) on the node where they happened, once per transition, so that node
 * can announce them to the user's contacts through the bus.
 */
public interface UserPresence {

    /** The users among {@code userIds} that are online on some node; one Redis round trip at most. */
    CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds);

    default CompletableFuture<Boolean> isOnline(String userId) {
        return onlineAmong(Set.of(userId)).thenApply(online -> online.contains(userId));
    }

    void addListener(PresenceListener listener);

    /** Cluster-wide presence transitions. Called on a non-event-loop thread; must not block. */
    interface PresenceListener {
        void cameOnline(String userId);

        void wentOffline(String userId);
    }
}
