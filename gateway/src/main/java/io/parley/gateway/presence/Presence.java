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
 */
public final class Presence {
    private static final Logger log = LoggerFactory.getLogger(Presence.class);
    /** Chats looked at to find whom to tell; a user in more chats tells the most recent ones. */
    static final int CONTACT_CHATS_LIMIT = 200;

    private final SessionRegistry sessions;
    private final HistoryService history;
    private final Bus bus;
    private final Clock clock;
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    /** Users last announced online (absent: offline or never announced). Guarded by itself. */
    private final Set<String> announcedOnline = new HashSet<>();

    public Presence(SessionRegistry sessions, HistoryService history, Bus bus, Clock clock) {
        this.sessions = sessions;
        this.history = history;
        this.bus = bus;
        this.clock = clock;
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

    private void announce(String userId) {
        history.call("presence_contacts", store -> store.contactsOf(userId, CONTACT_CHATS_LIMIT))
                .whenComplete((contacts, failure) -> {
                    if (failure != null) {
                        log.debug("presence of {} not announced: {}", userId, failure.toString());
                        return;
                    }
                    // Completions of several changes may race: each announces the state as it is
                    // now, and only if that is not what was announced last.
                    synchronized (announcedOnline) {
                        boolean now = isOnline(userId);
                        boolean changed = now ? announcedOnline.add(userId) : announcedOnline.remove(userId);
                        if (changed && !contacts.isEmpty()) {
                            bus.publish(new Envelope(new ChatEvent.PresenceChanged(userId, now, clock.instant()),
                                    contacts, 0));
                        }
                    }
                });
    }
}
