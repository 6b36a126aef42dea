package io.parley.gateway.session;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The open sessions of this node, by user. Thread-safe. */
public final class SessionRegistry {
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();

    public void add(Session session) {
        byUser.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void remove(Session session) {
        byUser.computeIfPresent(session.userId(), (u, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    /** Runs {@code action} for each open session of the user. */
    public void forEachOf(String userId, Consumer<Session> action) {
        Set<Session> sessions = byUser.get(userId);
        if (sessions != null) {
            sessions.forEach(action);
        }
    }

    public List<Session> all() {
        return byUser.values().stream().flatMap(Set::stream).toList();
    }

    public boolean isOnline(String userId) {
        return byUser.containsKey(userId);
    }
}
