package io.parley.gateway.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

import static io.parley.gateway.config.Settings.DEV_TOKENS;
import static io.parley.gateway.config.Settings.JWT_PUBLIC_KEY_FILE;
import static io.parley.gateway.config.Settings.JWT_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/** RS256 and ES256 nodes verify with a public key from a PEM file, and refuse algorithm confusion. */
class PublicKeyTokensTest {

    private static Path writePem(Path dir, KeyPair pair) throws Exception {
        Path pem = dir.resolve("public.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        return pem;
    }

    @Test
    void rs256TokensOpenSocketsAndHs256SignedWithThePublicKeyIsRefused(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Path pem = writePem(dir, pair);
        try (TestNode node = TestNode.start(b -> b.set(JWT_SECRET, null).set(JWT_PUBLIC_KEY_FILE, pem).set(DEV_TOKENS, false))) {
            String good = JWT.create().withSubject("rsa-user").withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.RSA256((RSAPublicKey) pair.getPublic(), (RSAPrivateKey) pair.getPrivate()));
            try (WsClient c = WsClient.connect(node.ws("/ws?sid=rsa-user"), "access_token", good)) {
                assertThat(c.subprotocol()).isEqualTo("access_token");
            }
            // HS/RS confusion: the public key's bytes used as an HMAC secret.
            String confused = JWT.create().withSubject("rsa-user").withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.HMAC256(Files.readAllBytes(pem)));
            assertThat(WsClient.refusedStatus(node.ws("/ws?sid=rsa-user"), "access_token", confused)).isEqualTo(401);
        }
    }

    @Test
    void es256TokensOpenSockets(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Path pem = writePem(dir, pair);
        try (TestNode node = TestNode.start(b -> b.set(JWT_SECRET, null).set(JWT_PUBLIC_KEY_FILE, pem).set(DEV_TOKENS, false))) {
            String good = JWT.create().withSubject("ec-user").withExpiresAt(Instant.now().plusSeconds(600))
                    .sign(Algorithm.ECDSA256((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate()));
            try (WsClient c = WsClient.connect(node.ws("/ws?sid=ec-user"), "access_token", good)) {
                assertThat(c.subprotocol()).isEqualTo("access_token");
            }
            assertThat(WsClient.refusedStatus(node.ws("/ws?sid=ec-user"), "access_token", TestNode.token("ec-user")))
                    .as("an HS256 token on an ES256 node").isEqualTo(401);
        }
    }
}
