package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.parley.gateway.cluster.ClusterFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The join race: staff join a conversation on node B while the customer is on node A, whose
 * member cache learns of the join only when the broadcast on {@code parley:joins} reaches it. A
 * message the customer sends in that instant is routed without the staff member; staff must
 * still get it live, with no later message to trigger a gap fill.
 */
class ClusterJoinRaceTest {
    private static final int CONVERSATIONS = 20;
    /** Well above the reorder window (100 ms): live, not "on the next message" or "on resume". */
    private static final Duration LIVE = Duration.ofSeconds(3);

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2);

    @Test
    void aMessageSentRightAfterStaffJoinedOnAnotherNodeReachesThemLive() {
        TestNode a = cluster.node(0), b = cluster.node(1);
        List<String> missed = new ArrayList<>();
        try (WsClient customer = customer(a, "701"); WsClient agent = staff(b, "801")) {
            for (int i = 0; i < CONVERSATIONS; i++) {
                String channel = openConversation(customer, "701", newApplication());
                history(agent, "801", channel); // the join is answered ...
                send(customer, "701", channel, "right after the join " + i); // ... and the customer sends at once
                long sent = awaitSent(customer);
                JsonNode push = agent.awaitWithin(pushOf(channel), LIVE);
                if (push == null || push.at("/result/message/id").asLong() != sent) {
                    missed.add(channel + (push == null ? ": nothing pushed" : ": pushed " + push));
                }
            }
            assertThat(agent.drain(m -> "Event.ReceiveMessage".equals(m.path("name").asText()), Duration.ofMillis(300)))
                    .as("pushes beyond one per conversation (repeats)").isEmpty();
        }
        assertThat(missed).as("conversations of %d whose message did not reach staff live", CONVERSATIONS).isEmpty();
    }

    /**
     * The customer's message and the staff's join in flight together: whichever commits first,
     * staff must have the message, either in the page the join answered with or pushed live.
     */
    @Test
    void aMessageSentWhileStaffJoinIsEitherInTheirPageOrPushedLive() {
        try (WsClient customer = customer(cluster.node(0), "702"); WsClient agent = staff(cluster.node(1), "802")) {
            assertThat(raceJoins(customer, "702", agent, "802", null))
                    .as("conversations of %d whose message staff neither read nor got pushed", CONVERSATIONS)
                    .isEmpty();
        }
    }

    /**
     * As above with a colleague already in each conversation on the joining node: there the
     * message does arrive, routed to the colleague only, and must reach the new member too.
     */
    @Test
    void aMessageRoutedToAColleagueOnTheJoiningNodeReachesTheNewMemberToo() {
        try (WsClient customer = customer(cluster.node(0), "703"); WsClient agent = staff(cluster.node(1), "803");
             WsClient colleague = staff(cluster.node(1), "804")) {
            assertThat(raceJoins(customer, "703", agent, "803", colleague))
                    .as("conversations of %d whose message staff neither read nor got pushed", CONVERSATIONS)
                    .isEmpty();
        }
    }

    /** Per conversation: the agent joins while the customer sends; returns those the agent missed. */
    private static List<String> raceJoins(WsClient customer, String customerId, WsClient agent, String agentId,
                                          WsClient colleague) {
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) {
            String channel = openConversation(customer, customerId, newApplication());
            if (colleague != null) {
                history(colleague, "804", channel);
            }
            agent.event("Event.GetMessageList", Map.of("session_channel", channel, "executor_id", agentId,
                    "limit", 200));
            send(customer, customerId, channel, "during the join " + i);
            long sent = awaitSent(customer);
            JsonNode page = agent.awaitName("Event.GetMessageList");
            assertThat(page.path("ok").asBoolean()).as("join answered: %s", page).isTrue();
            boolean inPage = false;
            for (JsonNode m : page.at("/result/Messages")) {
                inPage |= m.path("id").asLong() == sent;
            }
            if (!inPage && agent.awaitWithin(pushOf(channel), LIVE) == null) {
                missed.add(channel);
            }
        }
        return missed;
    }

    private static Predicate<JsonNode> pushOf(String channel) {
        return m -> "Event.ReceiveMessage".equals(m.path("name").asText())
                && channel.equals(m.at("/result/message/session_channel").asText());
    }
}
