package io.parley.gateway.core;

import io.parley.gateway.bus.MemberJoins;
import io.parley.storage.HistoryService;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Chats and their members, read through a bounded LRU cache so that a send does not cost a
 * database read. Misses load from the store off the event loop. Entries change only through
 * this class (a member added, a chat created), so the cache stays correct on a single node; in a
 * cluster, joins are announced to the other nodes ({@link MemberJoins}) and applied there with
 * {@link #memberJoinedElsewhere}.
 */
public final class ChatDirectory {
    private final HistoryService history;
    private final Map<String, ChatEntry> cache;
    private final MemberJoins joins;

    public ChatDirectory(HistoryService history, int capacity) {
        this(history, capacity, MemberJoins.NONE);
    }

    public ChatDirectory(HistoryService history, int capacity, MemberJoins joins) {
        this.history = history;
        this.joins = joins;
        this.cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ChatEntry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The chat and its members, or empty when no such chat exists. */
    public CompletableFuture<Optional<ChatEntry>> find(String chatId) {
        ChatEntry cached = cached(chatId);
        if (cached != null) {
            return CompletableFuture.completedFuture(Optional.of(cached));
        }
        return history.call("find_chat", store -> store.findChat(chatId)
                        .map(chat -> new ChatEntry(chat, store.members(chatId))))
                .thenApply(found -> {
                    found.ifPresent(this::remember);
                    return found;
                });
    }

    /** Makes the user a member (durably, then in the cache). */
    public CompletableFuture<ChatEntry> addMember(ChatEntry entry, String userId) {
        if (entry.members().contains(userId)) {
            return CompletableFuture.completedFuture(entry);
        }
        return history.call("add_member", store -> {
            store.addMember(entry.chat().id(), userId);
            return null;
        }).thenApply(done -> {
            // Merge into whatever is cached now: another member may have joined meanwhile.
            synchronized (cache) {
                ChatEntry current = cache.getOrDefault(entry.chat().id(), entry);
                ChatEntry updated = current.withMember(userId);
                cache.put(entry.chat().id(), updated);
                return updated;
            }
        }).thenCompose(updated -> joins.joined(entry.chat().id(), userId).handle((sent, failure) -> updated));
    }

    /** Another node added a member: update the cached entry, if any (a miss loads from the store). */
    public void memberJoinedElsewhere(String chatId, String userId) {
        synchronized (cache) {
            ChatEntry current = cache.get(chatId);
            if (current != null && !current.members().contains(userId)) {
                cache.put(chatId, current.withMember(userId));
            }
        }
    }

    /** Records a chat just created or loaded with its members. */
    public void remember(ChatEntry entry) {
        synchronized (cache) {
            cache.put(entry.chat().id(), entry);
        }
    }

    private ChatEntry cached(String chatId) {
        synchronized (cache) {
            return cache.get(chatId);
        }
    }
}
