package io.parley.gateway.auth;

import com.auth0.jwt.algorithms.Algorithm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;

/**
 * The node's token keys, resolved once from configuration: an HS256 secret (configured, or
 * generated at start-up for zero-config development runs), an RS256/ES256 public key from a
 * PEM file, or the RS256/ES256 keys of a JWKS URL, picked per token by its {@code kid}. Only an
 * HS256 node can mint development tokens.
 */
public final class JwtKeys implements AutoCloseable {
    private final Algorithm algorithm;
    private final JwksKeySet keySet;
    private final String signingSecret;
    private final boolean generated;

    private JwtKeys(Algorithm algorithm, JwksKeySet keySet, String signingSecret, boolean generated) {
        this.algorithm = algorithm;
        this.keySet = keySet;
        this.signingSecret = signingSecret;
        this.generated = generated;
    }

    /** As {@link #of(Path, String)}, or the keys of {@code jwksUrl} when that is set (fetched now). */
    public static JwtKeys of(Path publicKeyFile, String secret, String jwksUrl) {
        if (jwksUrl != null) {
            return new JwtKeys(null, JwksKeySet.load(jwksUrl, JwksKeySet.DEFAULT_MISS_WAIT), null, false);
        }
        return of(publicKeyFile, secret);
    }

    /**
     * @param publicKeyFile PEM public key (RS256 or ES256), or {@code null}
     * @param secret        HS256 secret, used when there is no public key; when both are
     *                      {@code null} a random secret that lives as long as this process
     */
    public static JwtKeys of(Path publicKeyFile, String secret) {
        if (publicKeyFile != null) {
            return new JwtKeys(publicKeyAlgorithm(readPublicKey(publicKeyFile)), null, null, false);
        }
        if (secret != null) {
            return hs256(secret);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new JwtKeys(Algorithm.HMAC256(generated), null, generated, true);
    }

    public static JwtKeys hs256(String secret) {
        return new JwtKeys(Algorithm.HMAC256(secret), null, secret, false);
    }

    /** The one algorithm tokens are verified with, or {@code null} when a JWKS picks it per token. */
    public Algorithm verificationAlgorithm() {
        return algorithm;
    }

    /** Verifies tokens with these keys. */
    public TokenVerifier verifier(String issuer, String audience, Duration leeway) {
        return keySet != null ? TokenVerifier.withKeySet(keySet, issuer, audience, leeway)
                : new TokenVerifier(algorithm, issuer, audience, leeway);
    }

    /** HS256 secret to sign development tokens with, or {@code null} for public-key nodes. */
    public String signingSecret() {
        return signingSecret;
    }

    /** True when no key was configured and a random one lives only as long as this process. */
    public boolean generated() {
        return generated;
    }

    /** Stops the JWKS fetch thread, if any. */
    @Override
    public void close() {
        if (keySet != null) {
            keySet.close();
        }
    }

    private static Algorithm publicKeyAlgorithm(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return Algorithm.RSA256(rsa, null);
        }
        if (key instanceof ECPublicKey ec) {
            return Algorithm.ECDSA256(ec, null);
        }
        throw new IllegalArgumentException("jwt_public_key_file holds a " + key.getAlgorithm()
                + " key; expected RSA (RS256) or EC P-256 (ES256)");
    }

    private static PublicKey readPublicKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jwt_public_key_file " + file, e);
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
        for (String family : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(family).generatePublic(spec);
            } catch (GeneralSecurityException e) {
                // try the next key family
            }
        }
        throw new IllegalArgumentException("jwt_public_key_file " + file
                + " is not a PEM 'PUBLIC KEY' (X.509 SubjectPublicKeyInfo) of an RSA or EC key");
    }
}
