package io.parley.gateway.presence;

import io.parley.gateway.session.HostedUserListener;
import io.parley.gateway.session.SessionRegistry;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Presence of a single node: a user is online while they have a session here. Register it as
 * the {@link SessionRegistry}'s {@link HostedUserListener} to hear transitions, then
 * {@link #bind} the registry to answer queries.
 */
public final class LocalUserPresence implements UserPresence, HostedUserListener {
    private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();
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

    @Override
    public void addListener(PresenceListener listener) {
        listeners.add(listener);
    }

    @Override
    public CompletableFuture<Boolean> firstOpened(String userId) {
        listeners.forEach(l -> l.cameOnline(userId));
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletableFuture<Boolean> lastClosed(String userId) {
        listeners.forEach(l -> l.wentOffline(userId));
        return CompletableFuture.completedFuture(false);
    }
}
