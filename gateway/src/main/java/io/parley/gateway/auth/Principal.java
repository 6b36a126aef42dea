package io.parley.gateway.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a connection or a request acts as, taken only from a verified credential.
 *
 * @param userId    the user id every identity field in a frame must equal
 * @param staff     support staff (role {@code admin} or a seed-002 {@code admin_id} claim): may read
 *                  and write every support chat
 * @param service   the application's backend (role {@code service}): may use the server API, may
 *                  not open a socket
 * @param issuedAt  when the credential was issued ({@code iat}), for revocation; {@code null} when
 *                  it says none (then any revocation of the user refuses it)
 * @param expiresAt when the credential expires ({@code exp}); a socket it opened is closed then;
 *                  {@code null} for none
 */
public record Principal(String userId, boolean staff, boolean service, Instant issuedAt, Instant expiresAt) {
    public Principal {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
    }

    /** An end user's principal. */
    public Principal(String userId, boolean staff, Instant expiresAt) {
        this(userId, staff, false, null, expiresAt);
    }

    /** An end user whose credential does not expire (tests, internal callers). */
    public Principal(String userId, boolean staff) {
        this(userId, staff, null);
    }
}
