package io.parley.gateway.bus;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Tells the other nodes of a cluster what the application changed on this one, so that they act
 * on it too (within the pub/sub delay); the caller has applied it here already. A single node
 * needs nothing.
 */
public interface ClusterNotices {
    ClusterNotices NONE = new ClusterNotices() {
        @Override
        public CompletableFuture<Void> chatChanged(String chatId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> cutOff(String userId, Instant issuedBefore) {
            return CompletableFuture.completedFuture(null);
        }
    };

    /** A chat lost a member or was closed: other nodes reload it before its next use. */
    CompletableFuture<Void> chatChanged(String chatId);

    /**
     * The user's sockets must close on every node: all of them ({@code issuedBefore} null:
     * disconnect) or those opened with a token issued before it (revocation).
     */
    CompletableFuture<Void> cutOff(String userId, Instant issuedBefore);
}
