package io.parley.gateway.presence;

import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.Envelope;
import io.parley.gateway.session.OnlineUsers;
import io.parley.gateway.session.Session;
import io.parley.gateway.session.SessionRegistry;
import io.parley.protocol.command.ChatEvent;
import io.parley.storage.HistoryService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 * <p>In a cluster a node announces cluster-wide transitions only. Whether another node hosts
 * the user comes with each change of this node's sessions ({@link SessionRegistry#add},
 * {@link SessionRegistry#remove}), decided with the node's registration in Redis: of two nodes
 * registering a user at the same instant exactly one announces "online", of two withdrawing
 * exactly one announces "offline". A transition another node speaks for counts as announced
 * here too, so this node announces the next change. A node that dies announces nothing: the node
 * that removes it from the cluster announces its users offline ({@link #usersNodeDied}).
 *
 * <p>A user whose last connection here closes stays online for {@code offlineGrace}: a reconnect
 * within it — a dropped network, a whole storm of them — changes nothing, so it announces nothing
 * and costs no contacts lookup (each lookup is a read on the store's read pool, which resumes
 * need at that very moment). When the grace ends without a reconnect here, whether another node
 * hosts the user is asked again: the answer given at the disconnect is as old as the grace.
 */
public final class PresenceAnnouncer {
    private static final Logger log = LoggerFactory.getLogger(PresenceAnnouncer.class);
    private static final CompletableFuture<Boolean> NOT_ELSEWHERE = CompletableFuture.completedFuture(false);
    /** Chats looked at to find whom to tell; a user in more chats tells the most recent ones. */
    static final int CONTACT_CHATS_LIMIT = 200;

    private final SessionRegistry sessions;
    private final HistoryService history;
    private final Bus bus;
    private final Clock clock;
    private final OnlineUsers onlineUsers;
    private final Duration offlineGrace;
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    /** Users in their offline grace, with the timer that ends it. */
    private final Map<String, ScheduledFuture<?>> graces = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** Users last announced online (absent: offline or never announced). Guarded by itself. */
    private final Set<String> announcedOnline = new HashSet<>();

    /** @param onlineUsers who is online anywhere: asked again when a disconnect's grace ends */
    public PresenceAnnouncer(SessionRegistry sessions, HistoryService history, Bus bus, Clock clock,
                             OnlineUsers onlineUsers, Duration offlineGrace) {
        this.sessions = sessions;
        this.history = history;
        this.bus = bus;
        this.clock = clock;
        this.onlineUsers = onlineUsers;
        this.offlineGrace = offlineGrace;
    }

    /** A session was registered; {@code hostedElsewhere} is what {@link SessionRegistry#add} answered. */
    public void connected(Session session, CompletableFuture<Boolean> hostedElsewhere) {
        recompute(session.userId(), hostedElsewhere);
    }

    /** A session was unregistered; {@code hostedElsewhere} is what {@link SessionRegistry#remove} answered. */
    public void disconnected(Session session, CompletableFuture<Boolean> hostedElsewhere) {
        String userId = session.userId();
        if (offlineGrace.isZero() || stopping || sessions.anyOf(userId, Session::visible)) {
            recompute(userId, hostedElsewhere);
            return;
        }
        ScheduledFuture<?> previous = graces.put(userId, session.channel().eventLoop().schedule(
                () -> graceOver(userId), offlineGrace.toNanos(), TimeUnit.NANOSECONDS));
        if (previous != null) {
            previous.cancel(false); // the later disconnect's grace counts
        }
    }

    private void graceOver(String userId) {
        graces.remove(userId);
        recompute(userId, onlineUsers.isOnline(userId));
    }

    /**
     * The node is stopping: what the pending graces would announce later is announced now, while
     * the store and the bus still answer, and later disconnects announce at once.
     */
    public void endGraces() {
        stopping = true;
        graces.forEach((userId, timer) -> {
            if (timer.cancel(false)) {
                graceOver(userId);
            }
        });
    }

    /** A connection of the user shows ({@code true}) or hides them. */
    public void setVisible(String userId, long sessionId, boolean visible) {
        Session session = sessions.setVisible(userId, sessionId, visible);
        if (session != null) {
            // Hiding or showing oneself is this node's own (set_offline hides this node's connections only).
            recompute(session.userId(), NOT_ELSEWHERE);
        }
    }

    public boolean isOnline(String userId) {
        return online.contains(userId);
    }

    private synchronized void recompute(String userId, CompletableFuture<Boolean> hostedElsewhere) {
        boolean now = sessions.anyOf(userId, Session::visible);
        boolean changed = now ? online.add(userId) : online.remove(userId);
        if (changed) {
            // Unknown (Redis failed): speak, a repeat is better than silence.
            announce(userId, now, hostedElsewhere.exceptionally(unknown -> false));
        }
    }

    /**
     * The only node the user was connected to died, and this node removed it from the cluster
     * (no connection closed anywhere to announce it): tell their contacts the user is offline,
     * unless they are connected here after all.
     */
    public void usersNodeDied(String userId) {
        if (isOnline(userId)) {
            return;
        }
        history.call("presence_contacts", store -> store.contactsOf(userId, CONTACT_CHATS_LIMIT))
                .whenComplete((contacts, failure) -> {
                    if (failure != null) {
                        log.debug("offline of {} (node died) not announced: {}", userId, failure.toString());
                        return;
                    }
                    synchronized (announcedOnline) {
                        if (!isOnline(userId)) {
                            announcedOnline.remove(userId);
                            publish(userId, false, contacts);
                        }
                    }
                });
    }

    private record Contacts(Set<String> userIds, boolean hostedElsewhere) {
    }

    /** Announces {@code state}, the user's state after a change, unless another node speaks for it. */
    private void announce(String userId, boolean state, CompletableFuture<Boolean> hostedElsewhere) {
        history.call("presence_contacts", store -> store.contactsOf(userId, CONTACT_CHATS_LIMIT))
                .thenCombine(hostedElsewhere, Contacts::new)
                .whenComplete((found, failure) -> {
                    if (failure != null) {
                        log.debug("presence of {} not announced: {}", userId, failure.toString());
                        return;
                    }
                    // Completions of several changes may race. Whether another node speaks holds for
                    // this change only: if the state changed since, the later change announces.
                    synchronized (announcedOnline) {
                        if (isOnline(userId) != state) {
                            return;
                        }
                        boolean changed = state ? announcedOnline.add(userId) : announcedOnline.remove(userId);
                        if (changed && !found.hostedElsewhere()) {
                            publish(userId, state, found.userIds());
                        }
                    }
                });
    }

    private void publish(String userId, boolean online, Set<String> contacts) {
        if (!contacts.isEmpty()) {
            bus.publish(new Envelope(new ChatEvent.PresenceChanged(userId, online, clock.instant()), contacts, 0));
        }
    }
}
