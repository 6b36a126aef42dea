package io.parley.gateway.session;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Whether users are online anywhere in the cluster: online while at least one of their
 * connections is open on any node. Ephemeral: nothing is stored in history. The single-node
 * version ({@link LocalOnlineUsers}) reads this node's sessions; the cluster version
 * ({@code bus.RedisUserRegistry}) asks each node's user set in Redis, the sets the bus routes by.
 *
 * <p>The transitions a node sees itself (a user's first or last connection here) come with its
 * session changes ({@link HostedUserListener}); the one it cannot see is a peer dying with users
 * connected only to it, which the cluster's dead-node sweep ({@code bus.DeadNodeSweep}) reports.
 */
public interface OnlineUsers {

    /**
     * The users among {@code userIds} that are online on some node; one Redis round trip at most
     * (in a cluster a command per node, sent together).
     */
    CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds);

    /**
     * The users among {@code userIds} shown online on some node: connected there with a
     * connection that did not hide ({@code set_offline}). What presence announces, but for the
     * offline grace. One Redis round trip at most, as {@link #onlineAmong}.
     */
    CompletableFuture<Set<String>> shownAmong(Collection<String> userIds);

    default CompletableFuture<Boolean> isOnline(String userId) {
        return onlineAmong(Set.of(userId)).thenApply(online -> online.contains(userId));
    }
}
