package io.parley.gateway.auth;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Users whose older tokens the application revoked: a token of such a user issued before the
 * revocation is refused. Held in memory, one entry per revoked user, filled from the store at
 * start and kept current by the revocations of this node and the cluster's notices. Thread-safe.
 *
 * <p>{@code iat} has whole seconds, so the comparison does too: a token issued in the same second as
 * the revocation stands, which lets a backend revoke and at once issue a new token.
 */
public final class Revocations {
    private final Map<String, Instant> before = new ConcurrentHashMap<>();

    public Revocations(Map<String, Instant> stored) {
        stored.forEach(this::revoke);
    }

    /** Refuses the user's tokens issued before {@code issuedBefore} from now on; never moves back. */
    public void revoke(String userId, Instant issuedBefore) {
        before.merge(userId, issuedBefore.truncatedTo(ChronoUnit.SECONDS), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Whether the principal's token was issued before its user's revocation (a token without iat: any). */
    public boolean refuses(Principal principal) {
        Instant cut = before.get(principal.userId());
        return cut != null && principal.issuedBefore(cut);
    }

    public int size() {
        return before.size();
    }
}
