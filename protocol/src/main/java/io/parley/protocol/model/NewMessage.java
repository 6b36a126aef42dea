package io.parley.protocol.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A message accepted by the chat core and waiting to be committed. The store assigns its
 * per-chat sequence inside the commit, so sequences never repeat, whichever node wrote it.
 *
 * @param clientMessageId the sender's own id for this send, or {@code null}: a send repeated with
 *                        the same one (same chat, same sender) is answered with the message the
 *                        first one stored, and stored once
 * @param outboxData      what the webhook outbox keeps of this message (a JSON object, stored in the
 *                        message's own commit), or {@code null} when no webhook is to announce it
 * @param attachment      the uploaded file it carries (its commit takes a reference on it), or {@code null}
 */
public record NewMessage(long id, String chatId, String senderId, String content, ContentType contentType,
                         Long replyTo, Instant createdAt, String clientMessageId, String outboxData,
                         Attachment attachment) {
    /** The longest client message id, in characters. */
    public static final int MAX_CLIENT_MESSAGE_ID_LENGTH = 64;

    public NewMessage {
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(senderId, "senderId");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(createdAt, "createdAt");
        if (clientMessageId != null
                && (clientMessageId.isEmpty() || clientMessageId.length() > MAX_CLIENT_MESSAGE_ID_LENGTH)) {
            throw new IllegalArgumentException("client message id must be 1.." + MAX_CLIENT_MESSAGE_ID_LENGTH
                    + " characters");
        }
    }

    /** Without an attachment. */
    public NewMessage(long id, String chatId, String senderId, String content, ContentType contentType,
                      Long replyTo, Instant createdAt, String clientMessageId, String outboxData) {
        this(id, chatId, senderId, content, contentType, replyTo, createdAt, clientMessageId, outboxData, null);
    }

    /** Not announced by a webhook. */
    public NewMessage(long id, String chatId, String senderId, String content, ContentType contentType,
                      Long replyTo, Instant createdAt, String clientMessageId) {
        this(id, chatId, senderId, content, contentType, replyTo, createdAt, clientMessageId, null);
    }

    /** Without a client message id: a repeat is a new message. */
    public NewMessage(long id, String chatId, String senderId, String content, ContentType contentType,
                      Long replyTo, Instant createdAt) {
        this(id, chatId, senderId, content, contentType, replyTo, createdAt, null);
    }
}
