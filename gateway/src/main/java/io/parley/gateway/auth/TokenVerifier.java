package io.parley.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
import com.auth0.jwt.interfaces.Verification;

import io.parley.protocol.model.Message;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Map;

/**
 * Turns a JWT into a {@link Principal} or refuses it. Thread-safe; one instance per node.
 *
 * <p>The algorithm is fixed by configuration (HS256 secret, or an RS256/ES256 public key), so a
 * token that names another algorithm — {@code alg:none}, or HS256 signed with an RSA public key —
 * is refused before its signature is even looked at. {@code exp} is required. With a JWKS
 * ({@link #withKeySet}) the token's {@code kid} picks the key and its {@code alg} must be RS256
 * or ES256 and fit that key.
 *
 * <p>Principal: the first non-blank of {@code sub}, {@code request_id} (seed 002 customer) and
 * {@code admin_id} (seed 002 staff). Staff: {@code role: "admin"} or an {@code admin_id} claim.
 */
public final class TokenVerifier {
    /** Far above any real token; refuses absurd input before parsing it. */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    /** The verifier for one (decoded, not yet verified) token: fixed by configuration, or chosen by its key id. */
    private interface VerifierChoice {
        JWTVerifier forToken(DecodedJWT token) throws AuthException;
    }

    private final VerifierChoice verifiers;
    private final Revocations revocations;

    public TokenVerifier(Algorithm algorithm, String issuer, String audience, Duration leeway) {
        JWTVerifier verifier = build(algorithm, issuer, audience, leeway);
        this.verifiers = token -> verifier;
        this.revocations = new Revocations(Map.of());
    }

    private TokenVerifier(VerifierChoice verifiers, Revocations revocations) {
        this.verifiers = verifiers;
        this.revocations = revocations;
    }

    /** This verifier, also refusing the tokens the application revoked. */
    public TokenVerifier withRevocations(Revocations revocations) {
        return new TokenVerifier(verifiers, revocations);
    }

    /** Verifies RS256/ES256 tokens with the key of {@code keys} their {@code kid} names. */
    public static TokenVerifier withKeySet(JwksKeySet keys, String issuer, String audience, Duration leeway) {
        return new TokenVerifier(token -> build(keySetAlgorithm(keys, token), issuer, audience, leeway),
                new Revocations(Map.of()));
    }

    private static Algorithm keySetAlgorithm(JwksKeySet keys, DecodedJWT header) throws AuthException {
        String alg = header.getAlgorithm();
        if (!"RS256".equals(alg) && !"ES256".equals(alg)) {
            throw new AuthException("algorithm", "access token algorithm not accepted");
        }
        String kid = header.getKeyId();
        if (kid == null || kid.isBlank()) {
            throw new AuthException("unknown_key", "access token names no key id (kid)");
        }
        PublicKey key = keys.key(kid);
        if ("RS256".equals(alg) && key instanceof RSAPublicKey rsa) {
            return Algorithm.RSA256(rsa, null);
        }
        if ("ES256".equals(alg) && key instanceof ECPublicKey ec) {
            return Algorithm.ECDSA256(ec, null);
        }
        throw new AuthException("algorithm", "access token algorithm does not fit its key");
    }

    private static JWTVerifier build(Algorithm algorithm, String issuer, String audience, Duration leeway) {
        Verification verification = JWT.require(algorithm)
                .acceptLeeway(leeway.toSeconds())
                .withClaimPresence("exp");
        if (issuer != null) {
            verification.withIssuer(issuer);
        }
        if (audience != null) {
            verification.withAudience(audience);
        }
        return verification.build();
    }

    public Principal verify(String token) throws AuthException {
        if (token == null || token.isBlank()) {
            throw new AuthException("missing", "missing access token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new AuthException("too_large", "access token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        DecodedJWT jwt;
        try {
            DecodedJWT decoded = JWT.decode(token.trim()); // once: the key choice and the check share it
            jwt = verifiers.forToken(decoded).verify(decoded);
        } catch (TokenExpiredException e) {
            throw new AuthException("expired", "access token expired");
        } catch (AlgorithmMismatchException e) {
            throw new AuthException("algorithm", "access token algorithm not accepted");
        } catch (SignatureVerificationException e) {
            throw new AuthException("signature", "access token signature invalid");
        } catch (MissingClaimException e) {
            throw new AuthException("claims", "access token lacks claim '" + e.getClaimName() + "'");
        } catch (IncorrectClaimException e) {
            throw new AuthException("claims", "access token claim '" + e.getClaimName() + "' not accepted");
        } catch (JWTDecodeException e) {
            throw new AuthException("malformed", "access token is not a valid JWT");
        } catch (JWTVerificationException e) {
            throw new AuthException("invalid", "access token not accepted");
        }
        Principal principal = principalOf(jwt);
        if (revocations.refuses(principal)) {
            throw new AuthException("revoked", "access token revoked: sign in again");
        }
        return principal;
    }

    private static Principal principalOf(DecodedJWT jwt) throws AuthException {
        String adminId = text(jwt.getClaim("admin_id"));
        String userId = firstNonBlank(jwt.getSubject(), text(jwt.getClaim("request_id")), adminId);
        if (userId == null) {
            throw new AuthException("no_subject", "access token names no user (sub, request_id or admin_id)");
        }
        if (userId.equals(Message.SYSTEM_SENDER)) { // the application's system messages: nobody may act as it
            throw new AuthException("reserved_user", "user id '" + userId + "' is reserved for system messages");
        }
        String role = text(jwt.getClaim("role"));
        boolean staff = "admin".equals(role) || adminId != null;
        return new Principal(userId, staff, "service".equals(role), jwt.getIssuedAtAsInstant(),
                jwt.getExpiresAtAsInstant());
    }

    /** Claims like {@code admin_id} arrive as strings or numbers; both mean the same id. */
    private static String text(Claim claim) {
        if (claim == null || claim.isMissing() || claim.isNull()) {
            return null;
        }
        String s = claim.asString();
        if (s == null) {
            Long n = claim.asLong();
            s = n == null ? null : n.toString();
        }
        return s == null || s.isBlank() ? null : s;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
