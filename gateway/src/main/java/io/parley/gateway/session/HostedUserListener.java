package io.parley.gateway.session;

import java.util.concurrent.CompletableFuture;

/**
 * Told when this node starts hosting a user (their first open connection here), when it stops
 * (their last one closed), and when the user, still connected here, becomes shown or hidden here
 * (a visible connection of theirs is open here, or none is). Called in order for each user, under
 * the registry's lock for that user: implementations must not block (start asynchronous work and
 * return).
 *
 * <p>The first two answer whether another node hosts the user as well at the instant this change
 * takes effect cluster-wide: on {@code firstOpened}, whether another node already hosted them; on
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
        public CompletableFuture<Boolean> lastClosed(String userId, boolean wasShown) {
            return CompletableFuture.completedFuture(false);
        }
    };

    /** The user's first connection here opened; a new connection is visible, so the user is shown here. */
    CompletableFuture<Boolean> firstOpened(String userId);

    /** @param wasShown whether the user was shown here until now (false: every connection of theirs here was hidden) */
    CompletableFuture<Boolean> lastClosed(String userId, boolean wasShown);

    /**
     * The user stays connected here and is now shown ({@code shown}) or hidden here: a connection
     * hid or showed them ({@code set_offline}, {@code set_online}), a visible connection opened
     * beside hidden ones, or the last visible one closed beside hidden ones ({@code byClose}).
     */
    default void shownChanged(String userId, boolean shown, boolean byClose) {
    }
}
