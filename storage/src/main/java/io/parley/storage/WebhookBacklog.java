package io.parley.storage;

import java.time.Instant;

/**
 * The webhook outbox at a glance, for its metrics.
 *
 * @param pending       events not delivered yet (due or waiting for a retry)
 * @param dead          events whose attempts ran out
 * @param oldestPending when the oldest pending event was written, or {@code null} when none is
 */
public record WebhookBacklog(long pending, long dead, Instant oldestPending) {
}
