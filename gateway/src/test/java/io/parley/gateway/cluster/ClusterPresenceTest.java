package io.parley.gateway.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code typed} dialect's {@code user_online}/{@code user_offline} with a user connected to
 * several nodes at once: contacts hear each cluster-wide transition exactly once, whichever node
 * the user's connections open and close on, even when two nodes see a user's connections open or
 * close at the same instant.
 */
class ClusterPresenceTest {
    /** Long enough for a repeat announcement (a contacts query and one Redis hop) to arrive. */
    private static final Duration QUIET = Duration.ofMillis(700);

    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(3);

    @Test
    void aUserOnTwoNodesIsAnnouncedOnlineOnceAndOfflineOnce() {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        a.createChat("401", "direct", "402");
        try (WsClient contact = a.connectTyped("401")) {
            WsClient onB = b.connectTyped("402");
            assertThat(announcedOnce(contact, "user_online", 402)).as("first connection anywhere").isEqualTo(1);

            WsClient onC = c.connectTyped("402");
            assertThat(announcements(contact, "user_online", 402)).as("second connection, other node").isEmpty();

            // The node that announced "online" lets go first: the other one now speaks for the user.
            onB.close();
            assertThat(announcements(contact, "user_offline", 402)).as("still connected on node c").isEmpty();
            onC.close();
            assertThat(announcedOnce(contact, "user_offline", 402)).as("last connection anywhere").isEqualTo(1);

            // Both nodes forgot what they announced: coming back through either is news again.
            WsClient again = b.connectTyped("402");
            assertThat(announcedOnce(contact, "user_online", 402)).as("back online").isEqualTo(1);
            WsClient alsoOnC = c.connectTyped("402");
            assertThat(announcements(contact, "user_online", 402)).as("second connection again").isEmpty();
            alsoOnC.close();
            again.close();
            assertThat(announcedOnce(contact, "user_offline", 402)).as("offline again").isEqualTo(1);
        }
    }

    @Test
    void twoNodesRegisteringOrWithdrawingAUserAtTheSameInstantAnnounceItOnce() {
        TestNode a = cluster.node(0), b = cluster.node(1), c = cluster.node(2);
        List<Integer> users = new ArrayList<>();
        for (int user = 511; user < 521; user++) {
            users.add(user);
            a.createChat("501", "direct", Integer.toString(user));
        }
        try (WsClient contact = a.connectTyped("501")) {
            List<List<WsClient>> connections = new ArrayList<>();
            for (int user : users) {
                CompletableFuture<WsClient> onB = CompletableFuture.supplyAsync(() -> b.connectTyped(Integer.toString(user)));
                CompletableFuture<WsClient> onC = CompletableFuture.supplyAsync(() -> c.connectTyped(Integer.toString(user)));
                connections.add(List.of(onB.join(), onC.join()));
            }
            for (int user : users) {
                assertThat(announcedOnce(contact, "user_online", user)).as("online announcements of %d", user).isEqualTo(1);
            }
            for (List<WsClient> both : connections) {
                CompletableFuture.allOf(both.stream().map(ws -> CompletableFuture.runAsync(ws::close))
                        .toArray(CompletableFuture[]::new)).join();
            }
            for (int user : users) {
                assertThat(announcedOnce(contact, "user_offline", user)).as("offline announcements of %d", user).isEqualTo(1);
            }
        }
    }

    @Test
    void usersOfAKilledNodeAreAnnouncedOfflineByTheNodeThatRemovesIt() {
        TestNode a = cluster.node(0);
        a.createChat("601", "direct", "602");
        a.createChat("601", "direct", "603");
        NodeProcess doomed = NodeProcess.start(Map.of(
                "PARLEY_NODE_ID", "12",
                "PARLEY_NODE_TTL", "2s", // its peers give up on it 2 s after its last heartbeat
                "PARLEY_STORAGE_URL", cluster.postgres.url(),
                "PARLEY_STORAGE_USER", cluster.postgres.user(),
                "PARLEY_STORAGE_PASSWORD", cluster.postgres.password(),
                "PARLEY_REDIS_URL", cluster.redis.url()));
        try (doomed; WsClient contact = a.connectTyped("601"); WsClient alsoOnA = a.connectTyped("603")) {
            WsClient onlyThere = WsClient.connect(doomed.ws("/ws/chats/"), TestNode.bearer("602"));
            WsClient secondOf603 = WsClient.connect(doomed.ws("/ws/chats/"), TestNode.bearer("603"));
            assertThat(announcedOnce(contact, "user_online", 602)).isEqualTo(1);

            doomed.kill(); // SIGKILL: no close, no leave; its entries stay in Redis until a peer removes them
            assertThat(onlyThere.awaitClose()).isNotEqualTo(1000);
            secondOf603.awaitClose();

            // The peers' liveness check runs every third of their own TTL (15 s): allow for one round.
            JsonNode offline = contact.awaitWithin(about("user_offline", 602), Duration.ofSeconds(20));
            assertThat(offline).as("602 announced offline after its node died").isNotNull();
            assertThat(contact.drain(about("user_offline", 602), QUIET)).as("once").isEmpty();
            assertThat(contact.drain(about("user_offline", 603), QUIET)).as("603 is still connected to node a").isEmpty();
        }
    }

    /** Waits for one announcement of this type about the user; returns how many arrived until none has for {@link #QUIET}. */
    private static int announcedOnce(WsClient contact, String type, long userId) {
        contact.await(about(type, userId));
        return 1 + contact.drain(about(type, userId), QUIET).size();
    }

    /** The announcements of this type about the user that arrive until none has for {@link #QUIET}. */
    private static List<JsonNode> announcements(WsClient contact, String type, long userId) {
        return contact.drain(about(type, userId), QUIET);
    }

    private static Predicate<JsonNode> about(String type, long userId) {
        return m -> type.equals(m.path("type").asText()) && m.at("/content/user_id").asLong() == userId;
    }
}
