package io.parley.gateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.gateway.support.WebhookReceiver;
import io.parley.gateway.support.WebhookReceiver.Mode;
import io.parley.gateway.support.WebhookReceiver.Received;
import io.parley.gateway.webhook.OutboxPlace.Backend;
import io.parley.protocol.model.Message;
import io.parley.storage.HistoryService;
import io.parley.storage.OutboxEntry;
import io.parley.storage.WebhookBacklog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.parley.gateway.webhook.OutboxPlace.chatCreated;
import static io.parley.gateway.webhook.OutboxPlace.get;
import static io.parley.gateway.webhook.OutboxPlace.messageCreated;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher against a real HTTP receiver and a real outbox, on the embedded store and on
 * PostgreSQL: signatures, a receiver that fails and then is gone and comes back, dead letters
 * (and their replay with the SQL of docs/webhooks.md), a stop before delivery.
 */
class WebhookDeliveryTest {
    static final String SECRET = "webhook-secret-webhook-secret-0123456789";
    private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");

    private static WebhookOptions options(WebhookReceiver receiver, int maxAttempts, Duration backoffMax) {
        return new WebhookOptions(URI.create(receiver.url()), SECRET, maxAttempts, Duration.ofSeconds(5), 4,
                backoffMax);
    }

    /** What a receiver does with the header: recompute the MAC over "t.body" with its secret. */
    private static void assertSignedWithTheSecret(Received r) throws Exception {
        Matcher m = SIGNATURE.matcher(r.signature());
        assertThat(m.matches()).as(r.signature()).isTrue();
        long t = Long.parseLong(m.group(1));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(mac.doFinal(r.body()))).isEqualTo(m.group(2));
        assertThat(Math.abs(r.receivedAtSecond() - t)).as("timestamp is the time of sending").isLessThanOrEqualTo(5);
        Mac other = Mac.getInstance("HmacSHA256");
        other.init(new SecretKeySpec("another-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        other.update((t + ".").getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(other.doFinal(r.body()))).isNotEqualTo(m.group(2));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventsArriveSignedWithTheirPayloads(Backend backend) throws Exception {
        try (OutboxPlace place = OutboxPlace.of(backend); WebhookReceiver receiver = WebhookReceiver.start();
             HistoryService history = place.openService()) {
            long chatEvent = chatCreated(history, "team-1", "alice", "bob");
            Message message = messageCreated(history, "team-1", "alice", "hello \"bob\"", "bob");
            MeterRegistry registry = new SimpleMeterRegistry();
            try (AutoCloseable dispatcher = WebhookDispatcher.start(
                    options(receiver, 5, Duration.ofSeconds(1)), history, registry, Clock.systemUTC())) {
                receiver.awaitDelivered(Set.of(Long.toString(chatEvent), Long.toString(message.id())));
                awaitBacklog(history, b -> b.pending() == 0);
            }
            assertThat(registry.get("parley.webhook.delivered").counter().count()).isEqualTo(2);

            for (Received r : receiver.received()) {
                assertSignedWithTheSecret(r);
                assertThat(r.contentType()).isEqualTo("application/json");
                assertThat(r.eventIdHeader()).isEqualTo(r.id());
            }
            Map<String, JsonNode> byType = new java.util.HashMap<>();
            receiver.received().forEach(r -> byType.put(r.json().path("type").asText(), r.json()));

            JsonNode chat = byType.get("chat.created");
            assertThat(chat.path("id").isTextual()).as("ids are strings").isTrue();
            assertThat(chat.path("id").asText()).isEqualTo(Long.toString(chatEvent));
            assertThat(chat.path("chat_id").asText()).isEqualTo("team-1");
            assertThat(OffsetDateTime.parse(chat.path("created_at").asText())).isNotNull();
            assertThat(chat.at("/data/chat/kind").asText()).isEqualTo("group");
            assertThat(chat.at("/data/members")).hasSize(2);
            assertThat(chat.at("/data/message").isMissingNode()).isTrue();

            JsonNode created = byType.get("message.created");
            assertThat(created.path("id").asText()).isEqualTo(Long.toString(message.id()));
            assertThat(created.at("/data/offline_members/0").asText()).isEqualTo("bob");
            JsonNode m = created.at("/data/message");
            assertThat(m.path("id").asLong()).isEqualTo(message.id());
            assertThat(m.path("chat_id").asText()).isEqualTo("team-1");
            assertThat(m.path("seq").asLong()).isEqualTo(1);
            assertThat(m.path("sender_id").asText()).isEqualTo("alice");
            assertThat(m.path("text").asText()).isEqualTo("hello \"bob\"");
            assertThat(m.path("content_type").asInt()).isEqualTo(1);
            assertThat(m.path("reply_to").isNull()).isTrue();
            assertThat(m.path("edited").asBoolean()).isFalse();
            assertThat(m.path("deleted").asBoolean()).isFalse();
            assertThat(Instant.parse(m.path("created_at").asText())).isEqualTo(message.createdAt());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyEventArrivesAfterTheReceiverFailedAndWasGone(Backend backend) throws Exception {
        try (OutboxPlace place = OutboxPlace.of(backend); WebhookReceiver receiver = WebhookReceiver.start();
             HistoryService history = place.openService()) {
            receiver.mode(Mode.FAIL);
            chatCreated(history, "down-1", "alice", "bob");
            Set<String> ids = new TreeSet<>();
            MeterRegistry registry = new SimpleMeterRegistry();
            try (AutoCloseable dispatcher = WebhookDispatcher.start(
                    options(receiver, 1_000, Duration.ofMillis(100)), history, registry, Clock.systemUTC())) {
                for (int i = 0; i < 20; i++) {
                    ids.add(Long.toString(messageCreated(history, "down-1", "alice", "m" + i, "bob").id()));
                }
                // Answered 500 at least twice each...
                receiver.await("two 500s for every message", r -> ids.stream().allMatch(id ->
                        r.stream().filter(x -> x.answered() == 500 && x.id().equals(id)).count() >= 2));
                // ...then gone: connections refused.
                receiver.stop();
                awaitCount(registry, "connection", 3);
                receiver.mode(Mode.ACCEPT);
                receiver.restart();
                receiver.awaitDelivered(ids);
                awaitBacklog(history, b -> b.pending() == 0 && b.dead() == 0);
            }
            assertThat(receiver.deliveredIds()).containsAll(ids);
            assertThat(registry.get("parley.webhook.failures").tag("reason", "status").counter().count())
                    .isGreaterThanOrEqualTo(40);
            assertThat(registry.get("parley.webhook.dead").counter().count()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anEventIsADeadLetterAfterItsAttemptsAndCanBeReplayedWithSql(Backend backend) throws Exception {
        try (OutboxPlace place = OutboxPlace.of(backend); WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.mode(Mode.FAIL);
            MeterRegistry registry = new SimpleMeterRegistry();
            String id;
            try (HistoryService history = place.openService()) {
                id = Long.toString(chatCreated(history, "dead-1", "alice"));
                try (AutoCloseable dispatcher = WebhookDispatcher.start(
                        options(receiver, 3, Duration.ofMillis(50)), history, registry, Clock.systemUTC())) {
                    awaitBacklog(history, b -> b.dead() == 1);
                }
                WebhookBacklog backlog = get(history.call("t", store -> store.webhookBacklog()));
                assertThat(backlog.pending()).isZero();
                List<OutboxEntry> due = get(history.call("t", store -> store.claimWebhooks(
                        Instant.now().plusSeconds(86_400), Instant.now().plusSeconds(86_401), 10)));
                assertThat(due).as("a dead letter is not tried again").isEmpty();
            }
            assertThat(receiver.attemptsById()).containsEntry(id, 3L);
            assertThat(registry.get("parley.webhook.failures").tag("reason", "status").counter().count()).isEqualTo(3);
            assertThat(registry.get("parley.webhook.dead").counter().count()).isEqualTo(1);

            // docs/webhooks.md: inspect the dead letters, then replay them.
            try (Connection c = place.sql(); Statement s = c.createStatement()) {
                try (var rs = s.executeQuery("SELECT id, type, attempts, last_error FROM webhook_outbox"
                        + " WHERE state = 'dead' ORDER BY id")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("id")).isEqualTo(id);
                    assertThat(rs.getInt("attempts")).isEqualTo(3);
                    assertThat(rs.getString("last_error")).isEqualTo("HTTP 500");
                }
                assertThat(s.executeUpdate("UPDATE webhook_outbox SET state = 'pending', attempts = 0,"
                        + " next_attempt_at = CURRENT_TIMESTAMP WHERE state = 'dead'")).isEqualTo(1);
            }
            receiver.mode(Mode.ACCEPT);
            try (HistoryService history = place.openService();
                 AutoCloseable dispatcher = WebhookDispatcher.start(
                         options(receiver, 3, Duration.ofMillis(50)), history, new SimpleMeterRegistry(),
                         Clock.systemUTC())) {
                receiver.awaitDelivered(Set.of(id));
                awaitBacklog(history, b -> b.pending() == 0 && b.dead() == 0);
            }
        }
    }

    /** The store closed (a node stopped) while the receiver is gone: a new one delivers it all. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventsCommittedBeforeAStopAreDeliveredAfterIt(Backend backend) throws Exception {
        try (OutboxPlace place = OutboxPlace.of(backend); WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.stop();
            Set<String> ids = new TreeSet<>();
            MeterRegistry registry = new SimpleMeterRegistry();
            try (HistoryService history = place.openService();
                 AutoCloseable dispatcher = WebhookDispatcher.start(
                         options(receiver, 1_000, Duration.ofMillis(100)), history, registry, Clock.systemUTC())) {
                ids.add(Long.toString(chatCreated(history, "stop-1", "alice", "bob")));
                for (int i = 0; i < 5; i++) {
                    ids.add(Long.toString(messageCreated(history, "stop-1", "alice", "m" + i, "bob").id()));
                }
                awaitCount(registry, "connection", 1);
            }
            receiver.restart();
            try (HistoryService history = place.openService();
                 AutoCloseable dispatcher = WebhookDispatcher.start(
                         options(receiver, 1_000, Duration.ofMillis(100)), history, new SimpleMeterRegistry(),
                         Clock.systemUTC())) {
                receiver.awaitDelivered(ids);
                awaitBacklog(history, b -> b.pending() == 0);
            }
            assertThat(receiver.deliveredIds()).isEqualTo(ids);
        }
    }

    static void awaitBacklog(HistoryService history, Predicate<WebhookBacklog> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        WebhookBacklog backlog;
        while (!done.test(backlog = get(history.call("test_backlog", store -> store.webhookBacklog())))) {
            assertThat(System.nanoTime()).as("outbox still " + backlog).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static void awaitCount(MeterRegistry registry, String reason, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (registry.get("parley.webhook.failures").tag("reason", reason).counter().count() < atLeast) {
            assertThat(System.nanoTime()).as("failures " + reason).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
