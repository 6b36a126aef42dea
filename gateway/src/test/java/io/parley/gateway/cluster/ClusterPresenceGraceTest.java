package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.function.Predicate;

import static io.parley.gateway.config.Settings.PRESENCE_OFFLINE_GRACE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code presence_offline_grace} on two nodes: a user who reconnects within it, here or on the
 * other node, is never announced offline, and a reconnect here costs no contacts lookup; a user
 * who stays away is announced offline once, when the grace is over.
 */
class ClusterPresenceGraceTest {
    private static final Duration GRACE = Duration.ofSeconds(2);

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2, b -> b.set(PRESENCE_OFFLINE_GRACE, GRACE));

    @Test
    void aReconnectWithinTheGraceIsNoNews() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        a.createChat("901", "direct", "902");
        // The user's node is this test's own: its lookups are the user's alone.
        try (WsClient contact = a.connectTyped("901");
             TestNode home = TestNode.start(config -> cluster.nodeConfig(4).apply(config)
                     .set(PRESENCE_OFFLINE_GRACE, GRACE))) {
            WsClient first = home.connectTyped("902");
            contact.await(about("user_online", 902));
            String lookups = "parley_history_call_latency_seconds_count{operation=\"presence_contacts\"}";
            double before = home.metric(lookups);

            first.close();
            WsClient back = home.connectTyped("902"); // a dropped network: back on the same node at once
            assertThat(contact.receivesNothing(about("user_offline", 902), GRACE.plusSeconds(1))).isTrue();
            assertThat(home.metric(lookups)).as("no contacts lookup for the drop or the reconnect").isEqualTo(before);

            back.close();
            WsClient elsewhere = b.connectTyped("902"); // back through another node
            assertThat(contact.receivesNothing(about("user_offline", 902), GRACE.plusSeconds(1)))
                    .as("never offline: the grace ends with the user hosted by another node").isTrue();
            elsewhere.close();
        }
    }

    @Test
    void aUserWhoStaysAwayIsAnnouncedOfflineOnceWhenTheGraceIsOver() {
        TestNode a = cluster.node(0);
        a.createChat("911", "direct", "912");
        try (WsClient contact = a.connectTyped("911")) {
            WsClient away = a.connectTyped("912");
            contact.await(about("user_online", 912));
            long closedAt = System.nanoTime();
            away.close();
            contact.await(about("user_offline", 912));
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isGreaterThanOrEqualTo(GRACE.minusMillis(100));
            assertThat(contact.drain(about("user_offline", 912), Duration.ofMillis(700))).as("once").isEmpty();
        }
    }

    /** A node that stops does not take its users' pending offline announcements with it. */
    @Test
    void aStoppingNodeAnnouncesItsGracesAtOnce() {
        TestNode a = cluster.node(0);
        a.createChat("921", "direct", "922");
        try (WsClient contact = a.connectTyped("921")) {
            TestNode leaving = TestNode.start(config -> cluster.nodeConfig(3).apply(config)
                    .set(PRESENCE_OFFLINE_GRACE, Duration.ofMinutes(1)));
            try (leaving) {
                WsClient user = leaving.connectTyped("922");
                contact.await(about("user_online", 922));
                user.close();
                assertThat(contact.receivesNothing(about("user_offline", 922), Duration.ofMillis(500)))
                        .as("in its grace").isTrue();
            }
            assertThat(contact.awaitWithin(about("user_offline", 922), Duration.ofSeconds(10)))
                    .as("announced when its node stopped, not a minute later").isNotNull();
        }
    }

    private static Predicate<JsonNode> about(String type, long userId) {
        return m -> type.equals(m.path("type").asText()) && m.at("/content/user_id").asLong() == userId;
    }
}
