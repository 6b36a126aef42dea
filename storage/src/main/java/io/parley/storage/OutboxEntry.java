package io.parley.storage;

import io.parley.protocol.model.Message;

/**
 * A pending webhook event claimed for delivery ({@link HistoryStore#claimWebhooks}).
 *
 * @param attempts deliveries tried before this one
 * @param message  the message the event announces as it is now, or {@code null} (no message, or
 *                 none stored under that id)
 */
public record OutboxEntry(OutboxEvent event, int attempts, Message message) {
}
