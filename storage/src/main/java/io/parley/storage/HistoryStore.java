package io.parley.storage;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.protocol.model.UnreadCount;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Durable chat history. Every method blocks on I/O: call it only from storage threads (see
 * {@link HistoryService}), never from an event loop. Every method that returns normally has
 * committed its writes. Failures surface as {@link StoreException}.
 *
 * <p>Implementations: {@link JdbcHistoryStore} over the embedded H2 default or PostgreSQL. Both
 * must pass the shared contract suite ({@code HistoryStoreContract} in the test jar).
 */
public interface HistoryStore extends AutoCloseable {

    /**
     * Creates the chat with its members, or returns the existing chat with that id unchanged
     * (idempotent: two calls with one id give one chat).
     */
    default Chat createChatIfAbsent(NewChat chat) {
        return createChatIfAbsent(chat, null);
    }

    /** {@link #createChatIfAbsent(NewChat)}; {@code ifCreated} (or {@code null}) goes in the outbox when it creates. */
    Chat createChatIfAbsent(NewChat chat, OutboxEvent ifCreated);

    Optional<Chat> findChat(String chatId);

    /** Support chat bound to an application id (seed 002), if one exists. */
    Optional<Chat> findChatByApplication(long applicationId);

    /** Chats the user is a member of, most recently updated first, at most {@code limit}. */
    List<Chat> chatsOf(String userId, int limit);

    /** Chats of one kind, most recently updated first, at most {@code limit} (staff views). */
    List<Chat> chatsOfKind(ChatKind kind, int limit);

    Set<String> members(String chatId);

    /**
     * The users who share a chat with {@code userId}: the other members of the user's
     * {@code chatLimit} most recently updated chats (the chats {@link #chatsOf} lists), each once,
     * without the user. One query: presence announces every online/offline change to them.
     */
    Set<String> contactsOf(String userId, int chatLimit);

    /** Adds a member; no-op if already one. */
    default void addMember(String chatId, String userId) {
        addMember(chatId, userId, null);
    }

    /**
     * Adds a member; {@code ifAdded} (or {@code null}) goes in the outbox when the user was not one.
     *
     * @return true if the user was not a member before
     */
    boolean addMember(String chatId, String userId, OutboxEvent ifAdded);

    /**
     * Removes a member; {@code ifRemoved} (or {@code null}) goes in the outbox when the user was one.
     *
     * @return true if the user was a member
     */
    boolean removeMember(String chatId, String userId, OutboxEvent ifRemoved);

    /**
     * Closes the chat: it takes no more messages. {@code ifClosed} (or {@code null}) goes in the
     * outbox when it was open. Idempotent.
     *
     * @return the chat as it is now, empty if there is no such chat
     */
    Optional<Chat> closeChat(String chatId, Instant at, OutboxEvent ifClosed);

    /**
     * Refuses the user's tokens issued before {@code before} from now on (never moves back).
     *
     * @return the user's revocation as it stands (the later of this one and any before it)
     */
    Instant revokeTokens(String userId, Instant before);

    /** Every user's revocation: tokens issued before it are refused. */
    Map<String, Instant> revocations();

    /**
     * Claims up to {@code limit} due webhook events, oldest due first, until {@code claimUntil}:
     * no other claim gets them before then, and if they are neither delivered nor failed by then
     * they fall due again (the claimer died).
     */
    List<OutboxEntry> claimWebhooks(Instant now, Instant claimUntil, int limit);

    /** The event reached the receiver: it leaves the outbox. */
    default void webhookDelivered(long eventId) {
        webhookDelivered(List.of(eventId));
    }

    /**
     * These events reached the receiver: they leave the outbox, in one short transaction (the
     * dispatcher records the answers that arrived while its previous call ran, as one call).
     */
    void webhookDelivered(Collection<Long> eventIds);

    /**
     * An attempt failed: the event is due again at {@code retryAt}, or, when {@code dead}, kept
     * as a dead letter and not tried again.
     *
     * @param attempts attempts made so far, this one included
     */
    void webhookFailed(long eventId, int attempts, Instant retryAt, String error, boolean dead);

    WebhookBacklog webhookBacklog();

    /**
     * Commits a batch of new messages in one transaction. Assigns each message the next per-chat
     * sequence (in batch order within a chat) and bumps the chat's {@code updatedAt}. Returns the
     * committed messages in input order. The whole batch commits or none of it does. A message
     * with {@link NewMessage#outboxData()} gets its {@code message.created} webhook event in the
     * same commit (a repeated send gets none).
     */
    List<Message> append(List<NewMessage> batch);

    /**
     * A page of history in ascending sequence order: the newest {@code limit} messages whose
     * sequence is below that of {@code beforeMessageId} (or the newest overall when it is
     * {@code null}). Soft-deleted messages are included (their content is empty).
     */
    List<Message> page(String chatId, Long beforeMessageId, int limit);

    /** Messages with sequence greater than {@code afterSeq}, ascending, at most {@code limit} (resume). */
    List<Message> after(String chatId, long afterSeq, int limit);

    Optional<Message> findMessage(long messageId);

    /**
     * Moves the user's read cursor in the chat forward to {@code seq}; never backwards.
     *
     * @return true if the cursor moved
     */
    boolean advanceReadCursor(String chatId, String userId, long seq);

    /** Read cursor (a sequence, 0 when never read) of every member who has one. */
    Map<String, Long> readCursors(String chatId);

    /**
     * Unread counts for every chat the user is a member of and has unread messages in: messages
     * after the user's cursor, not sent by the user, not deleted.
     */
    List<UnreadCount> unreadCounts(String userId);

    /** Replaces a message's content and marks it edited; empty if no such (undeleted) message. */
    Optional<Message> edit(long messageId, String content, Instant at);

    /**
     * Soft-deletes a message (content and attachment emptied, flag set; the attachment released in
     * the same commit); empty if no such message.
     */
    Optional<Message> softDelete(long messageId, Instant at);

    /** Records an uploaded file; collected at its {@code expiresAt} unless a message takes it first. */
    void addAttachment(StoredAttachment attachment);

    Optional<StoredAttachment> findAttachment(String attachmentId);

    /** Unreferenced files due for collection at {@code now}, the longest due first. */
    List<StoredAttachment> dueAttachments(Instant now, int limit);

    /** Deletes a due file's row; false when a message took the file meanwhile, or it is gone. */
    boolean deleteDueAttachment(String attachmentId, Instant now);

    /** True when the store answers a trivial query now (readiness). */
    boolean isHealthy();

    /**
     * Bytes of the store's files on this node's disk, for an embedded store; empty when the data
     * lives in a database server, whose disk is watched there.
     */
    default OptionalLong fileBytes() {
        return OptionalLong.empty();
    }

    @Override
    void close();
}
