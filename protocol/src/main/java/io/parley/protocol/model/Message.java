package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A committed chat message.
 *
 * @param id          64-bit id, unique and time-ordered across the cluster
 * @param chatId      the chat it belongs to
 * @param seq         per-chat sequence, strictly increasing from 1; the order every reader sees
 * @param senderId    principal that sent it
 * @param content     text, or an image URL when {@code contentType} is {@link ContentType#IMAGE}
 * @param replyTo     id of the message this one answers, or {@code null}
 * @param deleted     soft-deleted: kept in history with empty content
 * @param edited      content was changed after sending
 * @param attachment  the file it carries, or {@code null}; gone once the message is deleted
 */
public record Message(long id, String chatId, long seq, String senderId, String content, ContentType contentType,
                      Long replyTo, Instant createdAt, Instant updatedAt, boolean deleted, boolean edited,
                      Attachment attachment) {
    /** The sender of the application's system messages; no user can act as it. */
    public static final String SYSTEM_SENDER = "system";

    public Message {
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(senderId, "senderId");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Without an attachment. */
    public Message(long id, String chatId, long seq, String senderId, String content, ContentType contentType,
                   Long replyTo, Instant createdAt, Instant updatedAt, boolean deleted, boolean edited) {
        this(id, chatId, seq, senderId, content, contentType, replyTo, createdAt, updatedAt, deleted, edited, null);
    }
}
