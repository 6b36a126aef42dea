package io.parley.gateway.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The node view's ring of refused handshakes: bounded, newest first, no query, paths cut short. */
class RefusedHandshakesTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.7", 50_123);

    @Test
    void keepsTheLastFiftyNewestFirst() {
        RefusedHandshakes ring = new RefusedHandshakes(Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC));
        IntStream.range(0, RefusedHandshakes.CAPACITY + 20).forEach(i -> ring.add(PEER, "/ws/" + i, "signature", 401));
        assertThat(ring.size()).isEqualTo(RefusedHandshakes.CAPACITY);
        assertThat(ring.recent()).hasSize(RefusedHandshakes.CAPACITY);
        assertThat(ring.recent().get(0).path()).isEqualTo("/ws/69");
        assertThat(ring.recent().get(RefusedHandshakes.CAPACITY - 1).path()).isEqualTo("/ws/20");
        RefusedHandshakes.Refusal newest = ring.recent().get(0);
        assertThat(newest.remoteAddress()).isEqualTo("203.0.113.7");
        assertThat(newest.reason()).isEqualTo("signature");
        assertThat(newest.status()).isEqualTo(401);
        assertThat(newest.time()).isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    }

    @Test
    void keepsThePathOnlyAndNoLongerThanTheLimit() {
        RefusedHandshakes ring = new RefusedHandshakes(Clock.systemUTC());
        ring.add(PEER, "/ws?sid=1&access_token=secret#frag", "missing", 401);
        ring.add(null, "/chat/" + "x".repeat(5_000), "url", 400);
        assertThat(ring.recent().get(1).path()).isEqualTo("/ws");
        assertThat(ring.recent().get(0).path()).hasSize(RefusedHandshakes.MAX_PATH_LENGTH).startsWith("/chat/xxx");
        assertThat(ring.recent().get(0).remoteAddress()).isEqualTo("unknown");
    }

    /** GatewayMetrics counts the refusal and keeps it; the gauge says how many are kept. */
    @Test
    void gatewayMetricsCountsAndKeepsARefusal() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry);
        metrics.handshakeRefused("origin", 403, PEER, "/ws?sid=2");
        assertThat(registry.get("parley.handshakes").tag("result", "rejected").tag("reason", "origin").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("parley.refused.handshakes.kept").gauge().value()).isEqualTo(1);
        assertThat(metrics.refusedHandshakes().recent()).singleElement()
                .satisfies(refusal -> assertThat(refusal.path()).isEqualTo("/ws"));
    }
}
