package io.parley.gateway.core;

import java.util.concurrent.CompletableFuture;

/**
 * Tells the other nodes of a cluster that a user joined a chat, so their cached member lists
 * (which decide who receives a message) include the new member. A single node needs nothing.
 */
public interface MemberJoins {
    MemberJoins NONE = (chatId, userId) -> CompletableFuture.completedFuture(null);

    /** Completes when the notice is sent, or failed; either way the join itself stands. */
    CompletableFuture<Void> joined(String chatId, String userId);
}
