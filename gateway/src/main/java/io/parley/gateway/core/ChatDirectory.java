package io.parley.gateway.core;

import io.parley.gateway.bus.MemberJoins;
import io.parley.storage.HistoryService;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Chats and their members, read through a {@link ChatCache} so that a send does not cost a
 * database read. Misses load from the store off the event loop. On a single node entries change
 * only through this class (a member added, a chat created), so the cache stays correct; in a
 * cluster, joins are announced to the other nodes ({@link MemberJoins}), whose buses apply them to
 * their caches.
 */
public final class ChatDirectory {
    private final HistoryService history;
    private final ChatCache cache;
    private final MemberJoins joins;

    /** A single node's: its own cache, no joins to announce. */
    public ChatDirectory(HistoryService history, int capacity) {
        this(history, new ChatCache(capacity), MemberJoins.NONE);
    }

    public ChatDirectory(HistoryService history, ChatCache cache, MemberJoins joins) {
        this.history = history;
        this.cache = cache;
        this.joins = joins;
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
        if (entry.members().contains(userId)) {
            return CompletableFuture.completedFuture(entry);
        }
        return history.call("add_member", store -> {
            store.addMember(entry.chat().id(), userId);
            return null;
        }).thenApply(done -> cache.addMember(entry, userId))
                .thenCompose(updated -> joins.joined(entry.chat().id(), userId).handle((sent, failure) -> updated));
    }

    /** Records a chat just created or loaded with its members. */
    public void remember(ChatEntry entry) {
        cache.remember(entry);
    }
}
