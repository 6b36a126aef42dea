package io.parley.storage;

import io.parley.protocol.model.Attachment;

import java.time.Instant;
import java.util.Objects;

/**
 * An uploaded file's row: what messages show of it, and who may see it (the chat's members).
 *
 * @param expiresAt when it is collected unless a message references it first; {@code null} while
 *                  a message does
 */
public record StoredAttachment(Attachment attachment, String chatId, String uploaderId, Instant createdAt,
                               Instant expiresAt) {
    public StoredAttachment {
        Objects.requireNonNull(attachment, "attachment");
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(uploaderId, "uploaderId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Due for collection at {@code now}: unreferenced and past its expiry. */
    public boolean expired(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
