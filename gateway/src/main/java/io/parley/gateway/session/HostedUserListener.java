package io.parley.gateway.session;

import java.util.concurrent.CompletableFuture;

/**
 * Told when this node starts hosting a user (their first open connection here) and when it stops
 * (their last one closed). Called in order for each user, under the registry's lock for that
 * user: implementations must not block (start asynchronous work and return).
 *
 * <p>Each answers whether another node hosts the user as well at the instant this change takes
 * effect cluster-wide: on {@code firstOpened}, whether another node already hosted them; on
 * {@code lastClosed}, whether another node still does. Decided together with the change, so of
 * two nodes changing at the same instant exactly one hears {@code false}: the node that speaks
 * for the user's cluster-wide transition.
 */
public interface HostedUserListener {
    HostedUserListener NONE = new HostedUserListener() {
        @Override
        public CompletableFuture<Boolean> firstOpened(String userId) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Boolean> lastClosed(String userId) {
            return CompletableFuture.completedFuture(false);
        }
    };

    CompletableFuture<Boolean> firstOpened(String userId);

    CompletableFuture<Boolean> lastClosed(String userId);
}
