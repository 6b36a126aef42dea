package io.parley.gateway.bus;

import java.util.concurrent.CompletableFuture;

/**
 * Tells the other nodes of a cluster that a user joined a chat, so their cached member lists
 * (which decide who receives a message) include the new member. A single node needs nothing.
 */
public interface MemberJoins {
    MemberJoins NONE = (chatId, userId) -> CompletableFuture.completedFuture(null);

    /**
     * Completes when the notice is sent and this node is ready to deliver what other nodes route
     * without the new member meanwhile, or when either failed; either way the join itself stands.
     * Called after the join is stored and before it is answered.
     */
    CompletableFuture<Void> joined(String chatId, String userId);
}
