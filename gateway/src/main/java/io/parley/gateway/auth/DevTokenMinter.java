package io.parley.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Mints short-lived HS256 tokens for development ({@code POST /api/v1/dev/tokens}). */
public final class DevTokenMinter {
    private final Algorithm algorithm;
    private final Duration ttl;
    private final Clock clock;

    public DevTokenMinter(String secret, Duration ttl, Clock clock) {
        this.algorithm = Algorithm.HMAC256(secret);
        this.ttl = ttl;
        this.clock = clock;
    }

    public record Minted(String token, Instant expiresAt) {
    }

    /**
     * A token of its own each time: its id ({@code jti}) is random, so two tokens minted in the
     * same second differ, and sending the second on a socket is a refresh, not the same token again.
     *
     * @param role {@code "admin"} for support staff, or {@code null}
     */
    public Minted mint(String subject, String role) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JWTCreator.Builder builder = JWT.create().withSubject(subject).withIssuedAt(now).withExpiresAt(expires)
                .withJWTId(UUID.randomUUID().toString());
        if (role != null) {
            builder.withClaim("role", role);
        }
        return new Minted(builder.sign(algorithm), expires);
    }
}
