package io.parley.gateway.e2e;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;

import static io.parley.gateway.config.Settings.IDLE_TIMEOUT;
import static io.parley.gateway.config.Settings.JWT_LEEWAY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket lives no longer than the token that opened it: in every dialect, when the token
 * expires the client gets an error in its dialect's format, then the close 4001.
 */
class TokenExpiryTest {
    private static final Duration LIFETIME = Duration.ofSeconds(2);

    /** The expiry is checked by the idle sweep, an eighth of idle_timeout apart: a short one here. */
    @RegisterExtension
    static final TestNode node = TestNode.perClass(b -> b.set(JWT_LEEWAY, Duration.ZERO)
            .set(IDLE_TIMEOUT, Duration.ofSeconds(2)));

    @Test
    void everyDialectClosesItsSocketWhenTheTokenExpires() {
        String chat = node.createChat("te-events", "group", "te-typed", "te-actions", "te-pair", "te-feed");
        for (String dialect : new String[] {"events", "typed", "actions", "pair", "feed"}) {
            String user = "te-" + dialect;
            String token = JWT.create().withSubject(user).withExpiresAt(Instant.now().plus(LIFETIME))
                    .sign(Algorithm.HMAC256(TestNode.SECRET));
            WsClient socket = node.connect(dialect, user, chat, token);
            try (socket) {
                assertThat(socket.isOpen()).as(dialect + ": open while the token is valid").isTrue();
                assertThat(socket.await(m -> m.toString().contains("access token expired")).toString())
                        .as(dialect + ": told in its own format").contains("401");
                assertThat(socket.awaitClose()).as(dialect).isEqualTo(4001);
            }
        }
        assertThat(node.metric("parley_protocol_closes_total{code=\"4001\"}")).isEqualTo(5);
    }
}
