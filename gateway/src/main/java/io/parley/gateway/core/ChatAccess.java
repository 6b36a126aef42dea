package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.Envelope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.DirectChatIds;
import io.parley.protocol.model.NewChat;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Who may use a chat. A chat a principal may use but is not a member of yet (staff opening a
 * support chat) makes them a member, announced to the chat as {@link ChatEvent.MemberJoined}. A
 * direct chat {@code "a_b"} exists implicitly: its first use by {@code a} or {@code b} creates it.
 */
public final class ChatAccess {
    private final CoreContext core;

    public ChatAccess(CoreContext core) {
        this.core = core;
    }

    /** The chat with its members, if the principal may use it: 404 when missing, 403 when not theirs. */
    public CompletableFuture<ChatEntry> member(Principal principal, String chatId) {
        return core.directory().find(chatId).thenCompose(found -> {
            if (found.isEmpty()) {
                return createDirectOnFirstUse(principal, chatId);
            }
            ChatEntry entry = found.get();
            if (!entry.admits(principal)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "you are not a member of chat " + chatId);
            }
            if (entry.members().contains(principal.userId())) {
                return CompletableFuture.completedFuture(entry);
            }
            return core.directory().addMember(entry, principal.userId(),
                    core.outbox().memberAdded(chatId, principal.userId(), core.now())).thenApply(joined -> {
                core.bus().publish(new Envelope(new ChatEvent.MemberJoined(core.ids().next(), chatId,
                        principal.userId(), principal.staff(), core.now()), joined.members(), 0));
                return joined;
            });
        });
    }

    private CompletableFuture<ChatEntry> createDirectOnFirstUse(Principal principal, String chatId) {
        Optional<DirectChatIds.Pair> pair = DirectChatIds.parse(chatId);
        if (pair.isEmpty() || !pair.get().id().equals(chatId)) {
            return CompletableFuture.failedFuture(CoreContext.notFound("chat " + chatId));
        }
        if (!pair.get().has(principal.userId())) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.FORBIDDEN,
                    "you are not a member of direct chat " + chatId));
        }
        return createDirect(principal.userId(), pair.get().other(principal.userId()), null);
    }

    /** The direct chat of two users, created if absent (idempotent). */
    CompletableFuture<ChatEntry> createDirect(String userId, String otherId, String title) {
        String id = DirectChatIds.of(userId, otherId);
        NewChat wanted = new NewChat(id, ChatKind.DIRECT, userId, null, title, Set.of(userId, otherId), core.now());
        return core.history().call("create_direct_chat", store -> {
            if (store.findChat(id).isEmpty()) {
                core.checkChatQuota(store, userId, false);
            }
            Chat chat = store.createChatIfAbsent(wanted, core.outbox().chatCreated(wanted));
            return new ChatEntry(chat, store.members(id));
        }).thenApply(entry -> {
            core.directory().remember(entry);
            return entry;
        });
    }
}
