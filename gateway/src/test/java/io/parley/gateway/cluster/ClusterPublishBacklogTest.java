package io.parley.gateway.cluster;

import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.gateway.cluster.ClusterFixture.awaitPushes;
import static io.parley.gateway.cluster.ClusterFixture.awaitSent;
import static io.parley.gateway.cluster.ClusterFixture.customer;
import static io.parley.gateway.cluster.ClusterFixture.history;
import static io.parley.gateway.cluster.ClusterFixture.newApplication;
import static io.parley.gateway.cluster.ClusterFixture.openConversation;
import static io.parley.gateway.cluster.ClusterFixture.send;
import static io.parley.gateway.cluster.ClusterFixture.staff;
import static io.parley.gateway.config.Settings.BUS_PUBLISH_BACKLOG;
import static io.parley.gateway.config.Settings.MAX_MESSAGES_PER_SECOND;
import static io.parley.gateway.config.Settings.MESSAGE_BURST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose publishing to Redis falls behind: with a publish backlog of one event, most
 * publications of a burst are refused at once. They are kept and sent again, and the receiving
 * node fills what is still missing from history, so every message reaches the other node's
 * recipients exactly once and in order, with no later message needed to trigger it.
 */
class ClusterPublishBacklogTest {
    private static final int CUSTOMERS = 4;
    private static final int BURST = 60; // under the 64 requests a connection may have in flight

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2, b -> b.set(BUS_PUBLISH_BACKLOG, 1).set(MAX_MESSAGES_PER_SECOND, 10_000).set(MESSAGE_BURST, 10_000));

    @Test
    void refusedPublicationsStillReachTheOtherNodeOnceAndInOrder() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        List<WsClient> customers = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        try (WsClient agent = staff(b, "931")) {
            for (int c = 0; c < CUSTOMERS; c++) {
                String id = Integer.toString(921 + c);
                WsClient customer = customer(a, id);
                customers.add(customer);
                String channel = openConversation(customer, id, newApplication());
                channels.add(channel);
                history(agent, "931", channel); // staff on node B joins
            }

            // Every customer fires its whole burst at once, then collects the acks.
            for (int c = 0; c < CUSTOMERS; c++) {
                for (int i = 0; i < BURST; i++) {
                    send(customers.get(c), Integer.toString(921 + c), channels.get(c), "burst " + i);
                }
            }
            for (WsClient customer : customers) {
                for (int i = 0; i < BURST; i++) {
                    awaitSent(customer);
                }
            }

            for (String channel : channels) {
                List<Long> committed = history(agent, "931", channel);
                assertThat(committed).hasSize(BURST);
                assertThat(awaitPushes(agent, channel, BURST)).as("pushes on node B, in commit order")
                        .containsExactlyElementsOf(committed);
            }
            assertThat(agent.receivesNothing(m -> "Event.ReceiveMessage".equals(m.path("name").asText()),
                    Duration.ofMillis(300))).as("no message twice").isTrue();
            assertThat(a.metric("parley_bus_errors_total{stage=\"publish\"")).as("publications refused on node A")
                    .isPositive();
            assertThat(a.metric("parley_bus_republished_total")).as("and sent again").isPositive();
        } finally {
            customers.forEach(WsClient::close);
        }
    }
}
