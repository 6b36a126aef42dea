package io.parley.gateway.webhook;

import io.parley.gateway.config.ParleyConfig;
import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WebhookReceiver;
import io.parley.gateway.support.TestPostgres;
import io.parley.gateway.support.WsClient;
import io.parley.gateway.support.WebhookReceiver.Mode;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.NewChat;
import io.parley.storage.HistoryStore;
import io.parley.storage.JdbcHistoryStore;
import io.parley.storage.OutboxEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.parley.gateway.config.Settings.STORAGE_PASSWORD;
import static io.parley.gateway.config.Settings.STORAGE_URL;
import static io.parley.gateway.config.Settings.STORAGE_USER;
import static io.parley.gateway.config.Settings.WEBHOOK_BACKOFF_MAX;
import static io.parley.gateway.config.Settings.WEBHOOK_CONCURRENCY;
import static io.parley.gateway.config.Settings.WEBHOOK_SECRET;
import static io.parley.gateway.config.Settings.WEBHOOK_TIMEOUT;
import static io.parley.gateway.config.Settings.WEBHOOK_URL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real nodes with a webhook, on PostgreSQL: a receiver that holds every request does not delay
 * chat between two sockets, and events committed before a node stops, while the receiver is gone,
 * are delivered by the node started after it. Events are written by a second store on the same
 * schema, in the commit of the change they announce, as the chat core writes them.
 */
class WebhookNodeTest {
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() << 20);

    private static ParleyConfig.Builder webhookNode(ParleyConfig.Builder config, TestPostgres postgres,
                                                    WebhookReceiver receiver) {
        return config.set(STORAGE_URL, postgres.url()).set(STORAGE_USER, postgres.user())
                .set(STORAGE_PASSWORD, postgres.password())
                .set(WEBHOOK_URL, receiver.url()).set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET)
                .set(WEBHOOK_CONCURRENCY, 2).set(WEBHOOK_TIMEOUT, Duration.ofMinutes(2))
                .set(WEBHOOK_BACKOFF_MAX, Duration.ofMillis(100));
    }

    private static String chatCreated(HistoryStore store, String chatId) {
        long id = IDS.incrementAndGet();
        NewChat chat = new NewChat(chatId, ChatKind.GROUP, "owner", null, null, Set.of("owner"), Instant.now());
        store.createChatIfAbsent(chat, new OutboxEvent(id, "chat.created", chatId, null,
                "{\"chat\":{\"id\":\"" + chatId + "\"},\"members\":[\"owner\"]}", chat.createdAt()));
        return Long.toString(id);
    }

    private static HistoryStore sideStore(TestPostgres postgres) {
        return JdbcHistoryStore.postgres(postgres.url(), postgres.user(), postgres.password());
    }

    /** The chat core's own events, end to end on the embedded store: what a backend receives for a chat. */
    @Test
    void aChatAndItsMessagesArriveAsEventsWithTheirOfflineMembers() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             TestNode node = TestNode.start(b -> b.set(WEBHOOK_URL, receiver.url())
                     .set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET))) {
            long whileAway;
            long whileThere;
            try (WsClient one = node.connectTyped("401")) {
                one.json(Map.of("type", "new_message", "content", Map.of("chat_type", "direct",
                        "chat_id", "401_402", "message", "are you there?")));
                whileAway = one.awaitType("new_message").at("/content/message_id").asLong();
                try (WsClient two = node.connectTyped("402")) {
                    node.awaitOnline("402");
                    one.json(Map.of("type", "new_message", "content", Map.of("chat_type", "direct",
                            "chat_id", "401_402", "message", "there you are")));
                    whileThere = one.awaitType("new_message").at("/content/message_id").asLong();
                    two.awaitType("new_message");
                }
            }
            // The three events are delivered side by side, in no set order: wait for all of them.
            receiver.await("both messages and the chat", r -> receiver.deliveredIds().containsAll(
                    Set.of(Long.toString(whileAway), Long.toString(whileThere)))
                    && r.stream().anyMatch(event -> event.json().path("type").asText().equals("chat.created")));
            Map<String, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.HashMap<>();
            receiver.received().forEach(r -> byId.put(r.id(), r.json()));
            var away = byId.get(Long.toString(whileAway));
            assertThat(away.path("type").asText()).isEqualTo("message.created");
            assertThat(away.at("/data/offline_members").toString()).isEqualTo("[\"402\"]");
            assertThat(away.at("/data/message/text").asText()).isEqualTo("are you there?");
            assertThat(byId.get(Long.toString(whileThere)).at("/data/offline_members")).isEmpty();
            assertThat(byId.values()).anySatisfy(event -> {
                assertThat(event.path("type").asText()).isEqualTo("chat.created");
                assertThat(event.path("chat_id").asText()).isEqualTo("401_402");
            });
        }
    }

    /** Membership changes, each once, saying who removed a member (nobody when they left). */
    @Test
    void membersAddedRemovedAndLeavingArriveAsEvents() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
             TestNode node = TestNode.start(b -> b.set(WEBHOOK_URL, receiver.url())
                     .set(WEBHOOK_SECRET, WebhookDeliveryTest.SECRET))) {
            String chat = node.createChat("wm-owner", "group", "wm-a", "wm-b");
            assertThat(node.rest("POST", "/api/v1/chats/" + chat + "/members", "wm-owner", "{\"user_id\":\"wm-c\"}")
                    .statusCode()).isEqualTo(200);
            assertThat(node.rest("POST", "/api/v1/chats/" + chat + "/members", "wm-owner", "{\"user_id\":\"wm-c\"}")
                    .statusCode()).as("added again: no change, no event").isEqualTo(200);
            assertThat(node.rest("DELETE", "/api/v1/chats/" + chat + "/members/wm-a", "wm-owner", null).statusCode())
                    .isEqualTo(204);
            assertThat(node.rest("DELETE", "/api/v1/chats/" + chat + "/members/wm-b", "wm-b", null).statusCode())
                    .isEqualTo(204);
            assertThat(node.service("DELETE", "/api/v1/chats/" + chat + "/members/wm-c", null).statusCode())
                    .isEqualTo(204);

            receiver.await("four membership changes", r -> r.stream()
                    .filter(event -> event.json().path("type").asText().startsWith("member.")).count() >= 4);
            Map<String, String> removedBy = new HashMap<>();
            List<String> added = new ArrayList<>();
            receiver.received().stream().map(WebhookReceiver.Received::json)
                    .filter(event -> event.path("chat_id").asText().equals(chat)).forEach(event -> {
                        String user = event.at("/data/user_id").asText();
                        switch (event.path("type").asText()) {
                            case "member.added" -> added.add(user);
                            case "member.removed" -> removedBy.put(user, event.at("/data/removed_by").isMissingNode()
                                    ? "(left)" : event.at("/data/removed_by").asText());
                            default -> { }
                        }
                    });
            assertThat(added).containsExactly("wm-c");
            assertThat(removedBy).containsExactlyInAnyOrderEntriesOf(
                    Map.of("wm-a", "wm-owner", "wm-b", "(left)", "wm-c", "system"));
        }
    }

    @Test
    void aReceiverHoldingEveryRequestDoesNotDelayChat() throws Exception {
        try (TestPostgres postgres = TestPostgres.createSchema(); WebhookReceiver receiver = WebhookReceiver.start();
             HistoryStore side = sideStore(postgres)) {
            receiver.mode(Mode.HOLD);
            Set<String> ids = new TreeSet<>();
            try (TestNode node = TestNode.start(b -> webhookNode(b, postgres, receiver))) {
                for (int i = 0; i < 4; i++) {
                    ids.add(chatCreated(side, "slow-" + i));
                }
                receiver.awaitHolding(2); // every slot (webhook_concurrency 2) is stuck on the receiver

                try (WsClient one = node.connectTyped("301"); WsClient two = node.connectTyped("302")) {
                    for (int i = 0; i < 20; i++) {
                        one.json(Map.of("type", "new_message", "content", Map.of("chat_type", "direct",
                                "chat_id", "301_302", "message", "while the receiver sleeps " + i)));
                        one.awaitType("new_message");
                        assertThat(two.awaitType("new_message").at("/content/message").asText())
                                .isEqualTo("while the receiver sleeps " + i);
                    }
                }
                // Chat went on while both webhook requests were still held.
                assertThat(receiver.deliveredIds()).isEmpty();
                assertThat(node.metric("parley_webhook_in_flight ")).isEqualTo(2);
                assertThat(node.metric("parley_webhook_in_flight_capacity ")).isEqualTo(2);

                receiver.mode(Mode.ACCEPT);
                receiver.awaitDelivered(ids);
            }
        }
    }

    @Test
    void eventsCommittedBeforeANodeStopsAreDeliveredByTheNextNode() throws Exception {
        try (TestPostgres postgres = TestPostgres.createSchema(); WebhookReceiver receiver = WebhookReceiver.start();
             HistoryStore side = sideStore(postgres)) {
            receiver.stop();
            Set<String> ids = new TreeSet<>();
            try (TestNode node = TestNode.start(b -> webhookNode(b, postgres, receiver))) {
                for (int i = 0; i < 5; i++) {
                    ids.add(chatCreated(side, "restart-" + i));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (node.metric("parley_webhook_failures_total{reason=\"connection\"") < 5) {
                    assertThat(System.nanoTime()).as("refused attempts").isLessThan(deadline);
                    Thread.sleep(50);
                }
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (node.metric("parley_webhook_queued ") < 5) { // the poller's look at the outbox
                    assertThat(System.nanoTime()).as("queued gauge").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(node.metric("parley_webhook_oldest_pending_seconds ")).isGreaterThanOrEqualTo(0);
            }
            receiver.restart();
            try (TestNode node = TestNode.start(b -> webhookNode(b, postgres, receiver))) {
                receiver.awaitDelivered(ids);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (node.metric("parley_webhook_queued ") > 0) {
                    assertThat(System.nanoTime()).as("queued gauge back to 0").isLessThan(deadline);
                    Thread.sleep(50);
                }
                assertThat(node.metric("parley_webhook_delivered_total ")).isGreaterThanOrEqualTo(5);
            }
            assertThat(receiver.deliveredIds()).containsAll(ids);
        }
    }
}
