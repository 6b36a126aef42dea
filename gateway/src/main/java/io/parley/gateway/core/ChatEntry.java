package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.protocol.model.Chat;

import java.util.HashSet;
import java.util.Set;

/** A chat and its members, as cached by {@link ChatDirectory}. Immutable: changes replace it. */
public record ChatEntry(Chat chat, Set<String> members) {
    public ChatEntry {
        members = Set.copyOf(members);
    }

    /** Members may read and write; staff may too in chats open to staff (support chats). */
    public boolean admits(Principal principal) {
        return members.contains(principal.userId()) || (principal.staff() && chat.kind().openToStaff());
    }

    public ChatEntry withoutMember(String userId) {
        Set<String> fewer = new HashSet<>(members);
        fewer.remove(userId);
        return new ChatEntry(chat, fewer);
    }

    public ChatEntry withChat(Chat changed) {
        return new ChatEntry(changed, members);
    }

    public ChatEntry withMember(String userId) {
        Set<String> more = new HashSet<>(members);
        more.add(userId);
        return new ChatEntry(chat, more);
    }
}
