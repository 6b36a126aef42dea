package io.parley.gateway.session;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The open sessions of this node, by user and by id. Thread-safe. */
public final class SessionRegistry {
    private final Map<String, Set<Session>> byUser = new ConcurrentHashMap<>();
    private final Map<Long, Session> byId = new ConcurrentHashMap<>();

    public void add(Session session) {
        byId.put(session.id(), session);
        byUser.computeIfAbsent(session.userId(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public void remove(Session session) {
        byId.remove(session.id());
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

    /** True if any open session of the user matches. */
    public boolean anyOf(String userId, Predicate<Session> test) {
        Set<Session> sessions = byUser.get(userId);
        return sessions != null && sessions.stream().anyMatch(test);
    }

    /** The open session with this id, or {@code null}. */
    public Session byId(long id) {
        return byId.get(id);
    }

    public List<Session> all() {
        return byUser.values().stream().flatMap(Set::stream).toList();
    }

    public boolean isOnline(String userId) {
        return byUser.containsKey(userId);
    }
}
