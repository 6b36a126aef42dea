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

    private final HostedUserListener hosted;

    public SessionRegistry() {
        this(HostedUserListener.NONE);
    }

    /** @param hosted told when a user's first session here opens and their last one closes */
    public SessionRegistry(HostedUserListener hosted) {
        this.hosted = hosted;
    }

    public void add(Session session) {
        byId.put(session.id(), session);
        // compute() holds the user's lock, so the listener hears opens and closes in their real order.
        byUser.compute(session.userId(), (u, sessions) -> {
            if (sessions == null) {
                sessions = ConcurrentHashMap.newKeySet();
                hosted.firstOpened(u);
            }
            sessions.add(session);
            return sessions;
        });
    }

    public void remove(Session session) {
        byId.remove(session.id());
        byUser.computeIfPresent(session.userId(), (u, sessions) -> {
            if (sessions.remove(session) && sessions.isEmpty()) {
                hosted.lastClosed(u);
                return null;
            }
            return sessions;
        });
    }

    /** The users with at least one open session here. */
    public Set<String> users() {
        return Set.copyOf(byUser.keySet());
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
