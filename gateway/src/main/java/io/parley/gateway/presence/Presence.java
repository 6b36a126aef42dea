package io.parley.gateway.presence;

import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.Envelope;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.protocol.command.ChatEvent;
import io.parley.storage.HistoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is online, per user: online while at least one of the user's connections is open and not
 * hidden ({@code set_offline}). Each change is announced as {@link ChatEvent.PresenceChanged} to
 * the users who share a chat with that user. Ephemeral: never stored.
 *
 * <p>Whom to tell is one store query ({@link io.parley.storage.HistoryStore#contactsOf}: the other
 * members of the user's {@value #CONTACT_CHATS_LIMIT} most recent chats). Announcements carry the
 * state at the moment the contacts are known, and only when it differs from the state last
 * announced: a quick connect and disconnect announces nothing, and the final state is announced
 * once, never a stale one last.
 *
 * <p>In a cluster a user may still be connected to another node when their last connection
 * here closes: before announcing "offline" for a user with no connection left on this node, the
 * cluster-wide {@link UserPresence} is asked, and a user online elsewhere stays online.
 */
public final class Presence {
    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    /** Chats looked at to find whom to tell; a user in more chats tells the most recent ones. */
    static final int CONTACT_CHATS_LIMIT = 200;

    private final SessionRegistry sessions;
    private final HistoryService history;
    private final Bus bus;
    private final Clock clock;
    private final UserPresence cluster;
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    /** Users last announced online (absent: offline or never announced). Guarded by itself. */
    private final Set<String> announcedOnline = new HashSet<>();

    /** A single node: only this node's connections count. */
    public Presence(SessionRegistry sessions, HistoryService history, Bus bus, Clock clock) {
        this(sessions, history, bus, clock, null);
    }

    /** @param cluster who is connected on any node, or {@code null} for a single node */
    public Presence(SessionRegistry sessions, HistoryService history, Bus bus, Clock clock, UserPresence cluster) {
        this.sessions = sessions;
        this.history = history;
        this.bus = bus;
        this.clock = clock;
        this.cluster = cluster;
    }

    /** A session was registered. */
    public void connected(Session session) {
        recompute(session.userId());
    }

    /** A session was unregistered. */
    public void disconnected(Session session) {
        recompute(session.userId());
    }

    /** A connection shows ({@code true}) or hides its user. */
    public void setVisible(long sessionId, boolean visible) {
        Session session = sessions.byId(sessionId);
        if (session != null) {
            session.visible(visible);
            recompute(session.userId());
        }
    }

    public boolean isOnline(String userId) {
        return online.contains(userId);
    }

    private synchronized void recompute(String userId) {
        boolean now = sessions.anyOf(userId, Session::visible);
        boolean changed = now ? online.add(userId) : online.remove(userId);
        if (changed) {
            announce(userId);
        }
    }

    private record Contacts(Set<String> userIds, boolean onlineElsewhere) {
    }

    /**
     * Whether the user, with no connection left here, is still connected to another node. Asked
     * after this node's own registration was withdrawn (same Redis connection, so in order).
     */
    private CompletableFuture<Boolean> onlineElsewhere(String userId) {
        if (cluster == null || sessions.isOnline(userId)) {
            return CompletableFuture.completedFuture(false);
        }
        return cluster.isOnline(userId).exceptionally(unknown -> false);
    }

    private void announce(String userId) {
        history.call("presence_contacts", store -> store.contactsOf(userId, CONTACT_CHATS_LIMIT))
                .thenCombine(onlineElsewhere(userId), Contacts::new)
                .whenComplete((found, failure) -> {
                    if (failure != null) {
                        log.debug("presence of {} not announced: {}", userId, failure.toString());
                        return;
                    }
                    // Completions of several changes may race: each announces the state as it is
                    // now, and only if that is not what was announced last.
                    Set<String> contacts = found.userIds();
                    synchronized (announcedOnline) {
                        boolean now = isOnline(userId);
                        if (!now && found.onlineElsewhere() && !sessions.isOnline(userId)) {
                            return; // still connected to another node, which speaks for them
                        }
                        boolean changed = now ? announcedOnline.add(userId) : announcedOnline.remove(userId);
                        if (changed && !contacts.isEmpty()) {
                            bus.publish(new Envelope(new ChatEvent.PresenceChanged(userId, now, clock.instant()),
                                    contacts, 0));
                        }
                    }
                });
    }
}
