package io.parley.gateway.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chats and their members as last known here, a bounded LRU map: what lets a send skip a database
 * read. Entries change on this node through {@link ChatDirectory}, and in a cluster through the
 * joins other nodes announce ({@link #memberJoinedElsewhere}), which the bus delivers here; made
 * before both, so neither needs the other to exist. Thread-safe.
 */
public final class ChatCache {
    private final Map<String, ChatEntry> entries;

    public ChatCache(int capacity) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ChatEntry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached chat, or {@code null} (a miss loads from the store). */
    public ChatEntry get(String chatId) {
        synchronized (entries) {
            return entries.get(chatId);
        }
    }

    /** Records a chat just created or loaded with its members. */
    public void remember(ChatEntry entry) {
        synchronized (entries) {
            entries.put(entry.chat().id(), entry);
        }
    }

    /**
     * Adds a member stored just now, merging into whatever is cached by then (another member may
     * have joined meanwhile); {@code known} stands in when the chat is not cached.
     */
    public ChatEntry addMember(ChatEntry known, String userId) {
        synchronized (entries) {
            ChatEntry updated = entries.getOrDefault(known.chat().id(), known).withMember(userId);
            entries.put(known.chat().id(), updated);
            return updated;
        }
    }

    /** Removes a member removed just now from the cached entry, if any. */
    public void removeMember(String chatId, String userId) {
        synchronized (entries) {
            ChatEntry current = entries.get(chatId);
            if (current != null) {
                entries.put(chatId, current.withoutMember(userId));
            }
        }
    }

    /** Another node changed the chat in a way a cached entry cannot follow: the next use loads it. */
    public void forget(String chatId) {
        synchronized (entries) {
            entries.remove(chatId);
        }
    }

    /**
     * What other nodes announced may have been missed (the subscription to their announcements was
     * interrupted): every entry goes, and each chat is read again at its next use.
     */
    public void forgetAll() {
        synchronized (entries) {
            entries.clear();
        }
    }

    /** Another node added a member: update the cached entry, if any (a miss loads from the store). */
    public void memberJoinedElsewhere(String chatId, String userId) {
        synchronized (entries) {
            ChatEntry current = entries.get(chatId);
            if (current != null && !current.members().contains(userId)) {
                entries.put(chatId, current.withMember(userId));
            }
        }
    }
}
