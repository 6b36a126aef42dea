package io.parley.gateway.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a connection acts as, taken only from a verified credential.
 *
 * @param userId    the user id every identity field in a frame must equal
 * @param staff     support staff (role {@code admin} or a seed-002 {@code admin_id} claim): may read
 *                  and write every support chat
 * @param expiresAt when the credential expires ({@code exp}); a socket it opened is closed then;
 *                  {@code null} for none
 */
public record Principal(String userId, boolean staff, Instant expiresAt) {
    public Principal {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
    }

    /** A principal whose credential does not expire (tests, internal callers). */
    public Principal(String userId, boolean staff) {
        this(userId, staff, null);
    }
}
