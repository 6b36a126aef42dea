package io.parley.gateway.presence;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.session.LastSeen;
import io.parley.gateway.session.LastSeenRecords;
import io.parley.gateway.session.OnlineUsers;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.UserPresence;
import io.parley.storage.HistoryService;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Presence snapshots ({@link Command.GetPresence}), for the REST API and the dialects alike:
 * whether each user is online and, if not, when they were last seen, cluster-wide.
 *
 * <p><b>Online</b> is what {@link PresenceAnnouncer} announces: shown on some node (a connection
 * open there and not hidden with {@code set_offline}), or in the offline grace (the last
 * connection closed less than {@code presence_offline_grace} ago, so nobody was told "offline"
 * yet). Hiding is offline at once, as announced. An online user has no last seen.
 *
 * <p><b>Last seen</b> is when the user stopped being shown: their last visible connection closed
 * (not when the grace ended), they hid, or the node they were on died (when a peer removed it).
 * A user never seen, or seen too long ago for the bound of {@link LastSeenRecords}, has none.
 *
 * <p><b>Who sees whom.</b> A user sees themself and their contacts: the users {@link
 * PresenceAnnouncer} tells about their changes, the other members of their most recent chats.
 * Anyone else is answered exactly like an unknown user (offline, no last seen), so the answer
 * tells nothing about them, not even whether they exist. A service token sees everyone.
 *
 * <p>Cost: a contacts query on the store's read pool (not for a service token), then one round
 * trip to Redis in a cluster (nothing on a single node). Nothing runs on the caller's thread.
 */
public final class PresenceSnapshots {
    private final HistoryService history;
    private final OnlineUsers onlineUsers;
    private final LastSeenRecords lastSeen;
    private final Duration offlineGrace;
    private final Clock clock;
    private final GatewayMetrics metrics;

    public PresenceSnapshots(HistoryService history, OnlineUsers onlineUsers, LastSeenRecords lastSeen,
                             Duration offlineGrace, Clock clock, GatewayMetrics metrics) {
        this.history = history;
        this.onlineUsers = onlineUsers;
        this.lastSeen = lastSeen;
        this.offlineGrace = offlineGrace;
        this.clock = clock;
        this.metrics = metrics;
    }

    public CompletableFuture<Reply> snapshot(Principal principal, Command.GetPresence request) {
        List<String> asked = request.userIds();
        if (asked != null && (asked.isEmpty() || asked.size() > Command.GetPresence.MAX_USERS)) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.BAD_REQUEST,
                    "list 1 to " + Command.GetPresence.MAX_USERS + " user ids, got " + asked.size()));
        }
        if (asked == null && principal.service()) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.BAD_REQUEST,
                    "a service token has no contacts: list the user ids to look up"));
        }
        CompletableFuture<Set<String>> contacts = principal.service() ? CompletableFuture.completedFuture(Set.of())
                : history.call("presence_contacts",
                        store -> store.contactsOf(principal.userId(), PresenceAnnouncer.CONTACT_CHATS_LIMIT));
        return contacts.thenCompose(known -> {
            List<String> users;
            boolean more = false;
            if (asked == null) {
                List<String> all = known.stream().sorted().toList();
                more = all.size() > Command.GetPresence.MAX_CONTACTS;
                users = more ? all.subList(0, Command.GetPresence.MAX_CONTACTS) : all;
            } else {
                users = List.copyOf(new LinkedHashSet<>(asked)); // each once, where first asked
            }
            List<String> visible = users.stream()
                    .filter(user -> principal.service() || user.equals(principal.userId()) || known.contains(user))
                    .toList();
            metrics.presenceLookup(users.size());
            boolean cut = more;
            return lookUp(visible).thenApply(found -> new Reply.PresenceSnapshot(users.stream()
                    .map(user -> found.getOrDefault(user, UserPresence.unknown(user))).toList(), cut));
        });
    }

    /** The users' presence, asked of the cluster (or this node) in one go. */
    private CompletableFuture<Map<String, UserPresence>> lookUp(List<String> users) {
        if (users.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        // Who is shown is asked first, last seens second: a node writes a user's last seen before
        // it stops showing them, so a user found shown nowhere has their newest last seen.
        return onlineUsers.shownAmong(users).thenCombine(lastSeen.of(users), (shown, seen) -> {
            Instant now = clock.instant();
            Map<String, UserPresence> found = new HashMap<>();
            for (String user : users) {
                LastSeen last = seen.get(user);
                boolean online = shown.contains(user) || (last != null && last.inGrace(now, offlineGrace));
                found.put(user, new UserPresence(user, online, online || last == null ? null : last.at()));
            }
            return found;
        }).exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            return CompletableFuture.failedFuture(cause instanceof ChatException ? cause : new ChatException(
                    ErrorCode.UNAVAILABLE, "presence is unavailable right now (Redis did not answer), retry shortly"));
        });
    }
}
