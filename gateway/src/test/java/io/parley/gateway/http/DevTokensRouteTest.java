package io.parley.gateway.http;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.parley.gateway.auth.AuthException;
import io.parley.gateway.auth.DevTokenMinter;
import io.parley.gateway.auth.Principal;
import io.parley.gateway.auth.TokenVerifier;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/v1/dev/tokens}: mints tokens the gateway's own verifier accepts. */
@ExtendWith(LeakDetectionExtension.class)
class DevTokensRouteTest {
    private static final String SECRET = "dev-tokens-test-secret-dev-tokens-test-secret";
    private static final Duration TTL = Duration.ofMinutes(15);

    private final Instant now = Instant.now();
    private final TokenVerifier verifier = new TokenVerifier(Algorithm.HMAC256(SECRET), null, null, Duration.ZERO);

    private EmbeddedChannel channel() {
        DevTokensRoute route = new DevTokensRoute(new DevTokenMinter(SECRET, TTL, Clock.fixed(now, ZoneOffset.UTC)));
        return new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new HttpRouter(Map.of(DevTokensRoute.PATH, route), uri -> false));
    }

    private RawHttp.Response post(EmbeddedChannel channel, String body) {
        RawHttp.send(channel, RawHttp.requestWithBody("POST", DevTokensRoute.PATH, "application/json", body));
        return RawHttp.read(channel);
    }

    @Test
    void twoTokensMintedAtTheSameInstantDiffer() throws AuthException {
        EmbeddedChannel channel = channel(); // a fixed clock: the same iat and exp for both
        String first = post(channel, "{\"sub\": \"alice\"}").json().path("token").asText();
        String second = post(channel, "{\"sub\": \"alice\"}").json().path("token").asText();

        assertThat(second).as("a second token is a refresh on a socket, not the same token").isNotEqualTo(first);
        assertThat(verifier.verify(second).userId()).isEqualTo("alice");
    }

    @Test
    void mintsA201TokenThatVerifiesAsTheSubject() throws AuthException {
        EmbeddedChannel channel = channel();

        RawHttp.Response response = post(channel, "{\"sub\": \"alice\"}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = response.json();
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(Instant.parse(body.path("expires_at").asText())).isEqualTo(now.plus(TTL));
        Principal principal = verifier.verify(body.path("token").asText());
        assertThat(principal).usingRecursiveComparison().ignoringFields("issuedAtMillis", "expiresAtMillis").isEqualTo(new Principal("alice", false));
        assertThat(principal.expiresAt()).as("the token's exp, which ends its sockets").isAfter(java.time.Instant.now());
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void adminRoleMintsAStaffToken() throws AuthException {
        EmbeddedChannel channel = channel();

        RawHttp.Response response = post(channel, "{\"sub\": \"agent-7\", \"role\": \"admin\"}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(verifier.verify(response.json().path("token").asText())).usingRecursiveComparison()
                .ignoringFields("issuedAtMillis", "expiresAtMillis").isEqualTo(new Principal("agent-7", true));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void numericSubjectAndNullRoleAreAccepted() throws AuthException {
        EmbeddedChannel channel = channel();

        RawHttp.Response response = post(channel, "{\"sub\": 42, \"role\": null}");

        assertThat(response.status()).isEqualTo(201);
        assertThat(verifier.verify(response.json().path("token").asText())).usingRecursiveComparison()
                .ignoringFields("issuedAtMillis", "expiresAtMillis").isEqualTo(new Principal("42", false));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void subjectOfExactly128CharactersIsAccepted() {
        EmbeddedChannel channel = channel();

        assertThat(post(channel, "{\"sub\": \"" + "a".repeat(128) + "\"}").status()).isEqualTo(201);
        assertThat(channel.finish()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"sub\": ", "[\"alice\"]", "\"alice\"", "null", "{}", "{\"sub\": \"\"}",
            "{\"sub\": \"   \"}", "{\"sub\": null}", "{\"sub\": true}", "{\"sub\": 1.5}", "{\"sub\": {\"id\": 1}}",
            "{\"sub\": [\"alice\"]}", "{\"sub\": \"alice\", \"role\": 1}", "{\"sub\": \"alice\", \"role\": [\"admin\"]}"})
    void badBodyIs400WithAJsonError(String body) {
        EmbeddedChannel channel = channel();

        RawHttp.Response response = post(channel, body);

        assertThat(response.status()).as("body %s -> %s", body, response.body()).isEqualTo(400);
        assertThat(response.json().at("/error/code").asInt()).isEqualTo(400);
        assertThat(response.json().at("/error/message").asText()).isNotBlank().doesNotContain("Exception", "com.fasterxml");
        assertThat(channel.isOpen()).as("a 4xx keeps the connection").isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void subjectLongerThan128CharactersIs400() {
        EmbeddedChannel channel = channel();

        RawHttp.Response response = post(channel, "{\"sub\": \"" + "a".repeat(129) + "\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().at("/error/message").asText()).contains("128");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void getIs405() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", DevTokensRoute.PATH));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.json().at("/error/code").asInt()).isEqualTo(405);
        assertThat(response.json().at("/error/message").asText()).contains("POST");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void the405NamesTheAllowedMethod() {
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", DevTokensRoute.PATH));

        assertThat(RawHttp.read(channel).header("Allow")).isEqualTo("POST");
        assertThat(channel.finish()).isFalse();
    }
}
