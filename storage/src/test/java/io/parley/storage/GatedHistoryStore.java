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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real store with a gate in front of {@link #append}: while closed, append announces that it
 * was entered and waits for {@link #open()}. Lets tests hold the writer still (a slow database)
 * without a mock framework. Can also fail the next appends, as an outage would.
 */
final class GatedHistoryStore implements HistoryStore {

    private final HistoryStore delegate;
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    private final AtomicInteger entered = new AtomicInteger();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger appendCalls = new AtomicInteger();

    GatedHistoryStore(HistoryStore delegate) {
        this.delegate = delegate;
    }

    /** Later appends wait until {@link #open()}. */
    void closeGate() {
        gate.set(new CountDownLatch(1));
    }

    void open() {
        gate.get().countDown();
    }

    /** Appends that have reached the gate so far. */
    int entered() {
        return entered.get();
    }

    /** The next {@code count} appends throw as if the database were down. */
    void failNext(int count) {
        failuresLeft.set(count);
    }

    @Override
    public List<Message> append(List<NewMessage> batch) {
        appendCalls.incrementAndGet();
        CountDownLatch current = gate.get();
        entered.incrementAndGet();
        try {
            if (!current.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted at the test gate", e);
        }
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StoreException("simulated outage: append of " + batch.size() + " message(s) failed");
        }
        return delegate.append(batch);
    }

    @Override
    public Chat createChatIfAbsent(NewChat chat, OutboxEvent ifCreated) {
        return delegate.createChatIfAbsent(chat, ifCreated);
    }

    @Override
    public Optional<Chat> findChat(String chatId) {
        return delegate.findChat(chatId);
    }

    @Override
    public Optional<Chat> findChatByApplication(long applicationId) {
        return delegate.findChatByApplication(applicationId);
    }

    @Override
    public List<Chat> chatsOf(String userId, int limit) {
        return delegate.chatsOf(userId, limit);
    }

    @Override
    public List<Chat> chatsOfKind(ChatKind kind, int limit) {
        return delegate.chatsOfKind(kind, limit);
    }

    @Override
    public Set<String> members(String chatId) {
        return delegate.members(chatId);
    }

    @Override
    public Set<String> contactsOf(String userId, int chatLimit) {
        return delegate.contactsOf(userId, chatLimit);
    }

    @Override
    public boolean addMember(String chatId, String userId, OutboxEvent ifAdded) {
        return delegate.addMember(chatId, userId, ifAdded);
    }

    @Override
    public boolean removeMember(String chatId, String userId, OutboxEvent ifRemoved) {
        return delegate.removeMember(chatId, userId, ifRemoved);
    }

    @Override
    public Optional<Chat> closeChat(String chatId, Instant at, OutboxEvent ifClosed) {
        return delegate.closeChat(chatId, at, ifClosed);
    }

    @Override
    public Instant revokeTokens(String userId, Instant before) {
        return delegate.revokeTokens(userId, before);
    }

    @Override
    public Map<String, Instant> revocations() {
        return delegate.revocations();
    }

    @Override
    public List<OutboxEntry> claimWebhooks(Instant now, Instant claimUntil, int limit) {
        return delegate.claimWebhooks(now, claimUntil, limit);
    }

    @Override
    public void webhookDelivered(long eventId) {
        delegate.webhookDelivered(eventId);
    }

    @Override
    public void webhookDelivered(Collection<Long> eventIds) {
        delegate.webhookDelivered(eventIds);
    }

    @Override
    public void webhookFailed(long eventId, int attempts, Instant retryAt, String error, boolean dead) {
        delegate.webhookFailed(eventId, attempts, retryAt, error, dead);
    }

    @Override
    public WebhookBacklog webhookBacklog() {
        return delegate.webhookBacklog();
    }

    @Override
    public List<Message> page(String chatId, Long beforeMessageId, int limit) {
        return delegate.page(chatId, beforeMessageId, limit);
    }

    @Override
    public List<Message> after(String chatId, long afterSeq, int limit) {
        return delegate.after(chatId, afterSeq, limit);
    }

    @Override
    public Optional<Message> findMessage(long messageId) {
        return delegate.findMessage(messageId);
    }

    @Override
    public boolean advanceReadCursor(String chatId, String userId, long seq) {
        return delegate.advanceReadCursor(chatId, userId, seq);
    }

    @Override
    public Map<String, Long> readCursors(String chatId) {
        return delegate.readCursors(chatId);
    }

    @Override
    public List<UnreadCount> unreadCounts(String userId) {
        return delegate.unreadCounts(userId);
    }

    @Override
    public Optional<Message> edit(long messageId, String content, Instant at) {
        return delegate.edit(messageId, content, at);
    }

    @Override
    public Optional<Message> softDelete(long messageId, Instant at) {
        return delegate.softDelete(messageId, at);
    }

    @Override
    public void addAttachment(StoredAttachment attachment) {
        delegate.addAttachment(attachment);
    }

    @Override
    public Optional<StoredAttachment> findAttachment(String attachmentId) {
        return delegate.findAttachment(attachmentId);
    }

    @Override
    public List<StoredAttachment> dueAttachments(Instant now, int limit) {
        return delegate.dueAttachments(now, limit);
    }

    @Override
    public boolean deleteDueAttachment(String attachmentId, Instant now) {
        return delegate.deleteDueAttachment(attachmentId, now);
    }

    @Override
    public boolean isHealthy() {
        return delegate.isHealthy();
    }

    @Override
    public OptionalLong fileBytes() {
        return delegate.fileBytes();
    }

    @Override
    public void close() {
        open(); // never leave the writer parked when the service shuts down
        delegate.close();
    }
}
