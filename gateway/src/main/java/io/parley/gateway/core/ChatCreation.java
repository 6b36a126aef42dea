package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.DirectChatIds;
import io.parley.protocol.model.NewChat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Creating and listing chats, by kind (PROTOCOLS.md "Chats"): direct (exactly two users, id
 * {@code "a_b"}, idempotent), group and project (the creator plus explicit members, a UUID),
 * booking (the two participants of a booking, a UUID) and support (one customer per application,
 * any staff; idempotent per application).
 */
public final class ChatCreation {
    /** Most chats listed at once. */
    public static final int CHAT_LIST_LIMIT = 200;
    /** Most members of a chat created in one request. */
    public static final int MAX_MEMBERS = 100;

    private final CoreContext core;
    private final ChatAccess access;

    public ChatCreation(CoreContext core, ChatAccess access) {
        this.core = core;
        this.access = access;
    }

    public CompletableFuture<Reply> create(Principal principal, Command.CreateChat c) {
        Set<String> others = new LinkedHashSet<>(c.members());
        others.remove(principal.userId());
        String title = c.title() == null || c.title().isBlank() ? null : c.title().strip();
        switch (c.kind()) {
            case DIRECT -> {
                if (others.size() != 1) {
                    throw bad("a direct chat has exactly one other member, got " + others.size());
                }
                String other = others.iterator().next();
                if (other.indexOf(DirectChatIds.SEPARATOR) >= 0 || principal.userId().indexOf(DirectChatIds.SEPARATOR) >= 0) {
                    throw bad("direct chats need user ids without '_'");
                }
                return access.createDirect(principal.userId(), other, title).thenApply(e -> new Reply.ChatReply(e.chat()));
            }
            case BOOKING -> {
                if (others.size() != 1) {
                    throw bad("a booking chat has exactly two participants: you and one other, got " + (others.size() + 1));
                }
                return createWithUuid(principal, ChatKind.BOOKING, others, title);
            }
            case GROUP, PROJECT -> {
                if (others.isEmpty() || others.size() > MAX_MEMBERS) {
                    throw bad("a " + c.kind().wireName() + " chat needs 1 to " + MAX_MEMBERS + " other members");
                }
                return createWithUuid(principal, c.kind(), others, title);
            }
            default -> throw bad("support chats are opened per application (application_id), not with members");
        }
    }

    private CompletableFuture<Reply> createWithUuid(Principal principal, ChatKind kind, Set<String> others, String title) {
        Set<String> members = new LinkedHashSet<>(others);
        members.add(principal.userId());
        String id = UUID.randomUUID().toString();
        NewChat wanted = new NewChat(id, kind, principal.userId(), null, title, members, core.now());
        return core.history().call("create_chat", store -> {
                    core.checkChatQuota(store, principal.userId(), principal.staff());
                    return new ChatEntry(store.createChatIfAbsent(wanted), members);
                })
                .thenApply(entry -> {
                    core.directory().remember(entry);
                    return new Reply.ChatReply(entry.chat());
                });
    }

    /** Seed 002 AddConversation: the support chat of an application, created on first call. */
    public CompletableFuture<Reply> openSupportChat(Principal principal, Command.OpenSupportChat c) {
        String chatId = Long.toString(c.applicationId());
        NewChat wanted = new NewChat(chatId, ChatKind.SUPPORT, principal.userId(), c.applicationId(), null,
                Set.of(principal.userId()), core.now());
        return core.history().call("open_support_chat", store -> {
            if (store.findChat(chatId).isEmpty()) {
                core.checkChatQuota(store, principal.userId(), principal.staff());
            }
            Chat chat = store.createChatIfAbsent(wanted);
            return new ChatEntry(chat, store.members(chatId));
        }).thenApply(entry -> {
            Chat chat = entry.chat();
            if (chat.kind() != ChatKind.SUPPORT) {
                throw new ChatException(ErrorCode.CONFLICT, "chat " + chatId + " exists and is not a support chat");
            }
            if (!entry.admits(principal)) {
                throw new ChatException(ErrorCode.CONFLICT,
                        "application " + c.applicationId() + " already has a conversation with another customer");
            }
            core.directory().remember(entry);
            return new Reply.ChatReply(chat);
        });
    }

    /** The principal's chats, most recently active first; staff also see every support chat. */
    public CompletableFuture<Reply> list(Principal principal) {
        return core.history().call("list_chats", store -> {
            if (!principal.staff()) {
                return new Reply.ChatList(store.chatsOf(principal.userId(), CHAT_LIST_LIMIT));
            }
            Map<String, Chat> merged = new LinkedHashMap<>();
            store.chatsOf(principal.userId(), CHAT_LIST_LIMIT).forEach(chat -> merged.put(chat.id(), chat));
            store.chatsOfKind(ChatKind.SUPPORT, CHAT_LIST_LIMIT).forEach(chat -> merged.putIfAbsent(chat.id(), chat));
            List<Chat> chats = new ArrayList<>(merged.values());
            chats.sort(Comparator.comparing(Chat::updatedAt).reversed());
            return new Reply.ChatList(chats.size() > CHAT_LIST_LIMIT ? chats.subList(0, CHAT_LIST_LIMIT) : chats);
        });
    }

    private static ChatException bad(String message) {
        return new ChatException(ErrorCode.BAD_REQUEST, message);
    }
}
