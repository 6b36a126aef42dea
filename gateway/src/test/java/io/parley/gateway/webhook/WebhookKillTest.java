package io.parley.gateway.webhook;

import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.WebhookReceiver;
import io.parley.gateway.support.WebhookReceiver.Mode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static io.parley.gateway.config.Settings.WEBHOOK_BACKOFF_MAX;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node killed with SIGKILL between its commits and their webhooks' delivery (its requests held
 * by the receiver, so its claims are open): another node on the same PostgreSQL delivers every
 * event once the dead node's claims lapse.
 */
class WebhookKillTest {

    @Test
    void eventsOfAKilledNodeAreDeliveredByTheNextOne() throws Exception {
        try (TestPostgres postgres = TestPostgres.createSchema(); WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.mode(Mode.HOLD);
            Set<String> ids = new TreeSet<>();
            // A short request timeout keeps the dead node's claims short (twice it plus 10 s).
            NodeProcess doomed = NodeProcess.start(Map.of(
                    "PARLEY_STORAGE_URL", postgres.url(),
                    "PARLEY_STORAGE_USER", postgres.user(),
                    "PARLEY_STORAGE_PASSWORD", postgres.password(),
                    "PARLEY_WEBHOOK_URL", receiver.url(),
                    "PARLEY_WEBHOOK_SECRET", WebhookDeliveryTest.SECRET,
                    "PARLEY_WEBHOOK_TIMEOUT", "1s",
                    "PARLEY_WEBHOOK_CONCURRENCY", "2"));
            try (doomed; WsClient one = WsClient.connect(doomed.ws("/ws/chats/"), TestNode.bearer("501"))) {
                for (int i = 0; i < 5; i++) {
                    one.json(Map.of("type", "new_message", "content", Map.of("chat_type", "direct",
                            "chat_id", "501_502", "message", "before the kill " + i)));
                    ids.add(one.awaitType("new_message").at("/content/message_id").asText());
                }
                receiver.awaitHolding(2); // the node has claimed events and is waiting on the receiver
                doomed.kill();
            }
            // The dead node's held requests are answered 500 (to nobody): no event counts as delivered by it.
            receiver.mode(Mode.FAIL);
            receiver.await("the held requests answered", received -> received.size() >= 2);
            assertThat(receiver.deliveredIds()).isEmpty();

            receiver.mode(Mode.ACCEPT);
            try (TestNode next = TestNode.start(b -> b.set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                    .set(STORAGE_PASSWORD, postgres.password()).set(WEBHOOK_URL, receiver.url())
                    .set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET).set(WEBHOOK_BACKOFF_MAX, Duration.ofMillis(200)))) {
                receiver.awaitDelivered(ids);
            }
            assertThat(receiver.deliveredIds()).containsAll(ids);
        }
    }
}
