package io.parley.gateway.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.storage.WebhookBacklog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The webhook's meters, as Prometheus shows them: {@code parley_webhook_queued},
 * {@code parley_webhook_oldest_pending_seconds}, {@code parley_webhook_dead_letters} (the outbox,
 * every node's events, as of the poller's last look), {@code parley_webhook_delivered_total},
 * {@code parley_webhook_failures_total{reason}}, {@code parley_webhook_dead_total},
 * {@code parley_webhook_lag_seconds}, {@code parley_webhook_in_flight} and its capacity.
 */
final class WebhookMetrics {
    private final Clock clock;
    private final Counter delivered;
    private final Map<String, Counter> failures;
    private final Counter dead;
    private final Timer lag;
    private volatile WebhookBacklog backlog = new WebhookBacklog(0, 0, null);

    WebhookMetrics(MeterRegistry registry, Clock clock, IntSupplier inFlight, int capacity) {
        this.clock = clock;
        delivered = Counter.builder("parley.webhook.delivered")
                .description("Webhook events the receiver accepted (2xx) from this node").register(registry);
        // Every reason registered up front: a rate() over a series that appears late misses its first failures.
        failures = Map.of(
                Attempt.STATUS, failureCounter(registry, Attempt.STATUS),
                Attempt.TIMEOUT, failureCounter(registry, Attempt.TIMEOUT),
                Attempt.CONNECTION, failureCounter(registry, Attempt.CONNECTION));
        dead = Counter.builder("parley.webhook.dead")
                .description("Webhook events this node gave up on after webhook_max_attempts (dead letters)")
                .register(registry);
        lag = Timer.builder("parley.webhook.lag")
                .description("From an event's commit to the receiver's 2xx (retries included)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        Gauge.builder("parley.webhook.queued", this, m -> m.backlog.pending())
                .description("Webhook events in the outbox not delivered yet, all nodes' (due or waiting for a retry)")
                .register(registry);
        Gauge.builder("parley.webhook.dead.letters", this, m -> m.backlog.dead())
                .description("Dead letters kept in the outbox, all nodes'").register(registry);
        Gauge.builder("parley.webhook.oldest.pending", this, WebhookMetrics::oldestPendingSeconds)
                .description("Age of the oldest webhook event not delivered yet; 0 when none is")
                .baseUnit("seconds").register(registry);
        // A supplier, held strongly: with the lambda as the gauge's (weakly held) object it was
        // collected and the gauge read NaN.
        Gauge.builder("parley.webhook.in.flight", inFlight::getAsInt)
                .description("Webhook requests in flight from this node").register(registry);
        Gauge.builder("parley.webhook.in.flight.capacity", () -> capacity)
                .description("Webhook requests in flight at most (webhook_concurrency)").register(registry);
    }

    private static Counter failureCounter(MeterRegistry registry, String reason) {
        return Counter.builder("parley.webhook.failures")
                .description("Failed webhook attempts, by reason (status, timeout, connection)")
                .tag("reason", reason).register(registry);
    }

    void backlog(WebhookBacklog backlog) {
        this.backlog = backlog;
    }

    void delivered(Instant committedAt) {
        delivered.increment();
        Duration lagged = Duration.between(committedAt, clock.instant());
        lag.record(lagged.isNegative() ? Duration.ZERO : lagged); // another node's clock may run ahead
    }

    void failed(String reason) {
        failures.get(reason).increment();
    }

    void dead() {
        dead.increment();
    }

    /** Between two looks at the outbox the age keeps growing, as the event's does. */
    private double oldestPendingSeconds() {
        Instant oldest = backlog.oldestPending();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }
}
