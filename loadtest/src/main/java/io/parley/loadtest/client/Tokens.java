package io.parley.loadtest.client;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;

import java.time.Duration;
import java.time.Instant;

/**
 * Mints HS256 access tokens from the node's shared secret ({@code PARLEY_JWT_SECRET}), so a load
 * run needs no token endpoint: {@code sub} is the user, {@code role: "admin"} marks support staff.
 */
public final class Tokens {
    private final Algorithm algorithm;
    private final Duration lifetime;

    public Tokens(String secret, Duration lifetime) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("the HS256 secret must have at least 32 characters (PARLEY_JWT_SECRET)");
        }
        this.algorithm = Algorithm.HMAC256(secret);
        this.lifetime = lifetime;
    }

    public String user(String userId) {
        return JWT.create().withSubject(userId).withExpiresAt(Instant.now().plus(lifetime)).sign(algorithm);
    }

    public String staff(String userId) {
        return JWT.create().withSubject(userId).withClaim("role", "admin")
                .withExpiresAt(Instant.now().plus(lifetime)).sign(algorithm);
    }
}
