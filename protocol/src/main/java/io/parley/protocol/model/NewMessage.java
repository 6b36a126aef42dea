package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A message accepted by the chat core and waiting to be committed. The store assigns its
 * per-chat sequence inside the commit, so sequences never repeat, whichever node wrote it.
 */
public record NewMessage(long id, String chatId, String senderId, String content, ContentType contentType,
                         Long replyTo, Instant createdAt) {
    public NewMessage {
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(senderId, "senderId");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
