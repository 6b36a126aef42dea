package io.parley.gateway.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Who a connection or a request acts as, taken only from a verified credential.
 *
 * <p>Every open socket holds one for its whole life, so the credential's two times are kept as
 * epoch milliseconds rather than as two {@link Instant} objects (tokens carry whole seconds).
 */
public final class Principal {
    /** Stands for "none" in the two times. */
    private static final long NONE = Long.MIN_VALUE;

    private final String userId;
    private final boolean staff;
    private final boolean service;
    private final long issuedAtMillis;
    private final long expiresAtMillis;

    /**
     * @param userId    the user id every identity field in a frame must equal
     * @param staff     support staff (role {@code admin} or a seed-002 {@code admin_id} claim): may
     *                  read and write every support chat
     * @param service   the application's backend (role {@code service}): may use the server API,
     *                  may not open a socket
     * @param issuedAt  when the credential was issued ({@code iat}), for revocation; {@code null}
     *                  when it says none (then any revocation of the user refuses it)
     * @param expiresAt when the credential expires ({@code exp}); a socket it opened is closed
     *                  then; {@code null} for none
     */
    public Principal(String userId, boolean staff, boolean service, Instant issuedAt, Instant expiresAt) {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
        this.userId = userId;
        this.staff = staff;
        this.service = service;
        this.issuedAtMillis = issuedAt == null ? NONE : issuedAt.toEpochMilli();
        this.expiresAtMillis = expiresAt == null ? NONE : expiresAt.toEpochMilli();
    }

    /** An end user's principal. */
    public Principal(String userId, boolean staff, Instant expiresAt) {
        this(userId, staff, false, null, expiresAt);
    }

    /** An end user whose credential does not expire (tests, internal callers). */
    public Principal(String userId, boolean staff) {
        this(userId, staff, null);
    }

    public String userId() {
        return userId;
    }

    public boolean staff() {
        return staff;
    }

    public boolean service() {
        return service;
    }

    /** When the credential was issued, or {@code null} when it does not say. */
    public Instant issuedAt() {
        return issuedAtMillis == NONE ? null : Instant.ofEpochMilli(issuedAtMillis);
    }

    /** When the credential expires, or {@code null} for never. */
    public Instant expiresAt() {
        return expiresAtMillis == NONE ? null : Instant.ofEpochMilli(expiresAtMillis);
    }

    /** Whether the credential was issued before {@code cut}; a credential that does not say was. */
    public boolean issuedBefore(Instant cut) {
        return issuedAtMillis == NONE || issuedAtMillis < cut.toEpochMilli();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Principal p && userId.equals(p.userId) && staff == p.staff && service == p.service
                && issuedAtMillis == p.issuedAtMillis && expiresAtMillis == p.expiresAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, staff, service, issuedAtMillis, expiresAtMillis);
    }

    @Override
    public String toString() {
        return "Principal[userId=" + userId + ", staff=" + staff + ", service=" + service + ", issuedAt="
                + issuedAt() + ", expiresAt=" + expiresAt() + "]";
    }
}
