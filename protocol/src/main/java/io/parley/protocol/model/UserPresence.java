package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One user's presence as a client is shown it: online, or offline and when last seen.
 *
 * @param lastSeen when the user was last online ({@code null} while online, and when unknown:
 *                 never seen, forgotten, or not the asker's business)
 */
public record UserPresence(String userId, boolean online, Instant lastSeen) {
    public UserPresence {
        Objects.requireNonNull(userId, "userId");
        if (online && lastSeen != null) {
            throw new IllegalArgumentException("an online user has no last seen");
        }
    }

    /** What a user nobody knows looks like, and so what a user the asker may not see looks like. */
    public static UserPresence unknown(String userId) {
        return new UserPresence(userId, false, null);
    }
}
