package io.parley.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * When a user was last seen online, and how they stopped being seen. Kept per user; a later one
 * replaces an earlier one, never the other way round.
 *
 * @param at     when the user stopped being shown online on a node
 * @param reason how, which decides whether the offline grace applies
 */
public record LastSeen(Instant at, Reason reason) {
    public LastSeen {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }

    /** How a user stopped being shown online on a node. */
    public enum Reason {
        /** Their last visible connection there closed: presence announces it after the offline grace. */
        CLOSED,
        /** They hid with {@code set_offline}: announced at once. */
        HIDDEN,
        /** The node they were connected to died and a peer removed it: announced when it was removed. */
        NODE_GONE;

        /** The name kept in Redis. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Reason fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Whether the user still counts as online at {@code now}: they closed their last connection
     * less than {@code offlineGrace} ago, so nobody has been told they went offline yet.
     */
    public boolean inGrace(Instant now, Duration offlineGrace) {
        return reason == Reason.CLOSED && now.isBefore(at.plus(offlineGrace));
    }

    /** The later of the two (this one on a tie): last seen never moves back. */
    public LastSeen latest(LastSeen other) {
        return other == null || !other.at.isAfter(at) ? this : other;
    }
}
