package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A chat as the core sees it.
 *
 * @param id            public chat id, unique across kinds (support chats: the application id as a
 *                      decimal string, as seed 002's {@code session_channel}; direct chats
 *                      {@code "a_b"} with the smaller id first; others a UUID)
 * @param number        numeric id, unique and assigned by the store (seed 002's conversation {@code id})
 * @param kind          what the chat is for
 * @param ownerId       the customer of a support chat, the creator otherwise
 * @param applicationId seed 002's application id for support chats, else {@code null}
 * @param title         optional display title, {@code null} when none
 * @param closedAt      when the application's backend closed the chat (no more messages), or
 *                      {@code null} while it is open
 */
public record Chat(String id, long number, ChatKind kind, String ownerId, Long applicationId, String title,
                   Instant createdAt, Instant updatedAt, Instant closedAt) {
    public Chat {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** An open chat. */
    public Chat(String id, long number, ChatKind kind, String ownerId, Long applicationId, String title,
                Instant createdAt, Instant updatedAt) {
        this(id, number, kind, ownerId, applicationId, title, createdAt, updatedAt, null);
    }

    public boolean closed() {
        return closedAt != null;
    }
}
