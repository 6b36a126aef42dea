package io.parley.gateway.session;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The open sessions of this node, by user. Thread-safe.
 *
 * <p>A user's sessions are an array replaced on every change (copy on write): a handful per user
 * at most ({@code max_connections_per_user}), read on every delivery, changed only on connect and
 * close — and an idle socket's user costs one small array instead of a concurrent set.
 */
public final class SessionRegistry {
    private static final Session[] NONE = new Session[0];
    private static final CompletableFuture<Boolean> NOT_ELSEWHERE = CompletableFuture.completedFuture(false);

    private final Map<String, Session[]> byUser = new ConcurrentHashMap<>();

    private final HostedUserListener hosted;

    public SessionRegistry() {
        this(HostedUserListener.NONE);
    }

    /** @param hosted told when a user's first session here opens and their last one closes */
    public SessionRegistry(HostedUserListener hosted) {
        this.hosted = hosted;
    }

    /**
     * @return for the user's first session here, whether another node already hosted them (the
     *         {@link HostedUserListener}'s answer); otherwise {@code false}
     */
    public CompletableFuture<Boolean> add(Session session) {
        AtomicReference<CompletableFuture<Boolean>> hostedElsewhere = new AtomicReference<>(NOT_ELSEWHERE);
        // compute() holds the user's lock, so the listener hears opens and closes in their real order.
        byUser.compute(session.userId(), (u, sessions) -> {
            if (sessions == null) {
                hostedElsewhere.set(hosted.firstOpened(u));
                return new Session[] {session};
            }
            for (Session open : sessions) {
                if (open == session) {
                    return sessions;
                }
            }
            if (session.visible() && !anyVisible(sessions)) {
                hosted.shownChanged(u, true, false);
            }
            Session[] more = Arrays.copyOf(sessions, sessions.length + 1);
            more[sessions.length] = session;
            return more;
        });
        return hostedElsewhere.get();
    }

    /**
     * @return for the user's last session here, whether another node still hosts them (the
     *         {@link HostedUserListener}'s answer); otherwise {@code false}
     */
    public CompletableFuture<Boolean> remove(Session session) {
        AtomicReference<CompletableFuture<Boolean>> hostedElsewhere = new AtomicReference<>(NOT_ELSEWHERE);
        byUser.computeIfPresent(session.userId(), (u, sessions) -> {
            Session[] rest = without(sessions, session);
            boolean wasShown = anyVisible(sessions);
            if (rest.length == 0) {
                hostedElsewhere.set(hosted.lastClosed(u, wasShown));
                return null;
            }
            if (wasShown && !anyVisible(rest)) {
                hosted.shownChanged(u, false, true);
            }
            return rest;
        });
        return hostedElsewhere.get();
    }

    /**
     * Shows ({@code visible}) or hides the user's session with this id ({@code set_online},
     * {@code set_offline}); the user is shown here while any of their sessions here is visible.
     *
     * @return the session, or {@code null} when the user has no open session with this id here
     */
    public Session setVisible(String userId, long sessionId, boolean visible) {
        AtomicReference<Session> found = new AtomicReference<>();
        // Under the user's lock, like opens and closes: the listener hears them all in their real order.
        byUser.computeIfPresent(userId, (u, sessions) -> {
            for (Session session : sessions) {
                if (session.id() == sessionId) {
                    found.set(session);
                    boolean wasShown = anyVisible(sessions);
                    session.visible(visible);
                    boolean shown = anyVisible(sessions);
                    if (shown != wasShown) {
                        hosted.shownChanged(u, shown, false);
                    }
                }
            }
            return sessions;
        });
        return found.get();
    }

    private static boolean anyVisible(Session[] sessions) {
        for (Session session : sessions) {
            if (session.visible()) {
                return true;
            }
        }
        return false;
    }

    private static Session[] without(Session[] sessions, Session gone) {
        int at = -1;
        for (int i = 0; i < sessions.length; i++) {
            if (sessions[i] == gone) {
                at = i;
            }
        }
        if (at < 0) {
            return sessions;
        }
        if (sessions.length == 1) {
            return NONE;
        }
        Session[] rest = new Session[sessions.length - 1];
        System.arraycopy(sessions, 0, rest, 0, at);
        System.arraycopy(sessions, at + 1, rest, at, sessions.length - at - 1);
        return rest;
    }

    /** The users with at least one open session here. */
    public Set<String> users() {
        return Set.copyOf(byUser.keySet());
    }

    /** Runs {@code action} for each open session of the user. */
    public void forEachOf(String userId, Consumer<Session> action) {
        for (Session session : sessionsOf(userId)) {
            action.accept(session);
        }
    }

    /**
     * The user's open sessions, for a loop that must not allocate (a push to a big chat visits
     * every member). A snapshot: changes replace the array, so it is never written after this
     * returns; callers must not write it either.
     */
    public Session[] sessionsOf(String userId) {
        return byUser.getOrDefault(userId, NONE);
    }

    /** True if any open session of the user matches. */
    public boolean anyOf(String userId, Predicate<Session> test) {
        for (Session session : sessionsOf(userId)) {
            if (test.test(session)) {
                return true;
            }
        }
        return false;
    }

    /** The user's open session with this id, or {@code null}. */
    public Session find(String userId, long id) {
        for (Session session : sessionsOf(userId)) {
            if (session.id() == id) {
                return session;
            }
        }
        return null;
    }

    /** The users connected here with every session hidden. */
    public Set<String> hiddenUsers() {
        Set<String> hidden = new HashSet<>();
        byUser.forEach((user, sessions) -> {
            if (!anyVisible(sessions)) {
                hidden.add(user);
            }
        });
        return Set.copyOf(hidden);
    }

    public List<Session> all() {
        return byUser.values().stream().flatMap(Arrays::stream).toList();
    }

    public boolean isOnline(String userId) {
        return byUser.containsKey(userId);
    }
}
