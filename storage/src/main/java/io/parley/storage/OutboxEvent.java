package io.parley.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * An event for the application's webhook, written by the store in the same commit as what it
 * announces, so it exists exactly when that change does.
 *
 * @param id        unique and time-ordered (a message's own id for {@code message.created}); the
 *                  receiver deduplicates on it
 * @param type      e.g. {@code message.created}, {@code chat.created}
 * @param messageId the message announced, or {@code null}
 * @param data      what the event says beyond these fields: a JSON object, opaque to the store
 */
public record OutboxEvent(long id, String type, String chatId, Long messageId, String data, Instant createdAt) {
    public OutboxEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
