package io.parley.gateway.core;

import io.parley.storage.HistoryService;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Chats and their members, read through a bounded LRU cache so that a send does not cost a
 * database read. Misses load from the store off the event loop. Entries change only through
 * this class (a member added, a chat created), so the cache stays correct on a single node.
 */
public final class ChatDirectory {
    private final HistoryService history;
    private final Map<String, ChatEntry> cache;

    public ChatDirectory(HistoryService history, int capacity) {
        this.history = history;
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
        });
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
