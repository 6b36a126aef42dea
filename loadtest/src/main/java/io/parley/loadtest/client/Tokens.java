package io.parley.loadtest.client;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
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
        return token(userId).sign(algorithm);
    }

    public String staff(String userId) {
        return token(userId).withClaim("role", "admin").sign(algorithm);
    }

    /** Issued now, as identity providers do (the node keeps iat for revocation), valid for the lifetime. */
    private JWTCreator.Builder token(String userId) {
        Instant now = Instant.now();
        return JWT.create().withSubject(userId).withIssuedAt(now).withExpiresAt(now.plus(lifetime));
    }
}
