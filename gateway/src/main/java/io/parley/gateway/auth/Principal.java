package io.parley.gateway.auth;

import java.util.Objects;

/**
 * Who a connection acts as, taken only from a verified credential.
 *
 * @param userId the user id every identity field in a frame must equal
 * @param staff  support staff (role {@code admin} or a seed-002 {@code admin_id} claim): may read
 *               and write every support chat
 */
public record Principal(String userId, boolean staff) {
    public Principal {
        Objects.requireNonNull(userId, "userId");
        if (userId.isBlank()) {
            throw new IllegalArgumentException("userId must not be blank");
        }
    }
}
