package io.parley.gateway.presence;

import io.parley.gateway.session.SessionRegistry;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Presence of a single node: a user is online while they have a session here; {@link #bind} the
 * registry to answer queries.
 */
public final class LocalUserPresence implements UserPresence {
    private volatile SessionRegistry sessions;

    public void bind(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds) {
        SessionRegistry registry = sessions;
        return CompletableFuture.completedFuture(registry == null ? Set.of()
                : userIds.stream().filter(registry::isOnline).collect(Collectors.toUnmodifiableSet()));
    }

    /** A single node has no peers to die. */
    @Override
    public void onUsersOfDeadNode(Consumer<String> wentOffline) {
    }
}
