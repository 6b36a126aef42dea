package io.parley.gateway.core;

import io.parley.gateway.bus.ClusterNotices;
import io.parley.gateway.bus.MemberJoins;
import io.parley.storage.HistoryService;
import io.parley.storage.OutboxEvent;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Chats and their members, read through a {@link ChatCache} so that a send does not cost a
 * database read. Misses load from the store off the event loop. On a single node entries change
 * only through this class (a member added or removed, a chat created or closed), so the cache
 * stays correct; in a cluster, joins are announced to the other nodes ({@link MemberJoins}), whose
 * buses apply them to their caches, and other changes make them forget the chat
 * ({@link ClusterNotices}).
 */
public final class ChatDirectory {
    private final HistoryService history;
    private final ChatCache cache;
    private final MemberJoins joins;
    private final ClusterNotices notices;

    /** A single node's: its own cache, no other nodes to tell. */
    public ChatDirectory(HistoryService history, int capacity) {
        this(history, new ChatCache(capacity), MemberJoins.NONE, ClusterNotices.NONE);
    }

    public ChatDirectory(HistoryService history, ChatCache cache, MemberJoins joins, ClusterNotices notices) {
        this.history = history;
        this.cache = cache;
        this.joins = joins;
        this.notices = notices;
    }

    /** The chat and its members, or empty when no such chat exists. */
    public CompletableFuture<Optional<ChatEntry>> find(String chatId) {
        ChatEntry cached = cache.get(chatId);
        if (cached != null) {
            return CompletableFuture.completedFuture(Optional.of(cached));
        }
        return history.call("find_chat", store -> store.findChat(chatId)
                        .map(chat -> new ChatEntry(chat, store.members(chatId))))
                .thenApply(found -> {
                    found.ifPresent(cache::remember);
                    return found;
                });
    }

    /** Makes the user a member (durably, then in the cache), and tells the other nodes. */
    public CompletableFuture<ChatEntry> addMember(ChatEntry entry, String userId) {
        return addMember(entry, userId, null);
    }

    /** {@link #addMember(ChatEntry, String)}, writing {@code ifAdded} (or {@code null}) to the outbox with it. */
    public CompletableFuture<ChatEntry> addMember(ChatEntry entry, String userId, OutboxEvent ifAdded) {
        if (entry.members().contains(userId)) {
            return CompletableFuture.completedFuture(entry);
        }
        return history.call("add_member", store -> store.addMember(entry.chat().id(), userId, ifAdded))
                .thenApply(done -> cache.addMember(entry, userId))
                .thenCompose(updated -> joins.joined(entry.chat().id(), userId).handle((sent, failure) -> updated));
    }

    /**
     * Removes the member (durably, then here), and makes the other nodes forget the chat.
     * Completes with whether the user was a member.
     */
    public CompletableFuture<Boolean> removeMember(String chatId, String userId, OutboxEvent ifRemoved) {
        return history.call("remove_member", store -> store.removeMember(chatId, userId, ifRemoved))
                .thenCompose(removed -> {
                    cache.removeMember(chatId, userId);
                    return told(notices.chatChanged(chatId), removed);
                });
    }

    /** Closes the chat (durably, then here), and makes the other nodes forget it. Empty: no such chat. */
    public CompletableFuture<Optional<ChatEntry>> close(String chatId, Instant at, OutboxEvent ifClosed) {
        return history.call("close_chat", store -> store.closeChat(chatId, at, ifClosed)
                        .map(chat -> new ChatEntry(chat, store.members(chatId))))
                .thenCompose(closed -> {
                    closed.ifPresent(cache::remember);
                    return told(notices.chatChanged(chatId), closed);
                });
    }

    /**
     * The change stands even when the other nodes could not be told (Redis down): they then act on
     * their cached entry until it leaves their cache (counted as a bus error).
     */
    private static <T> CompletableFuture<T> told(CompletableFuture<Void> notice, T result) {
        return notice.handle((sent, failure) -> result);
    }

    /** Records a chat just created or loaded with its members. */
    public void remember(ChatEntry entry) {
        cache.remember(entry);
    }
}
