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
import io.parley.storage.HistoryStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
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
        return createWithUuid(principal.userId(), kind, members, title, store ->
                core.checkChatQuota(store, principal.userId(), principal.staff()));
    }

    /** A chat with a fresh UUID, created after {@code check} passed on the storage thread. */
    private CompletableFuture<Reply> createWithUuid(String ownerId, ChatKind kind, Set<String> members, String title,
                                                    Consumer<HistoryStore> check) {
        String id = UUID.randomUUID().toString();
        NewChat wanted = new NewChat(id, kind, ownerId, null, title, members, core.now());
        return core.history().call("create_chat", store -> {
                    check.accept(store);
                    return new ChatEntry(store.createChatIfAbsent(wanted, core.outbox().chatCreated(wanted)), members);
                })
                .thenApply(entry -> {
                    core.directory().remember(entry);
                    return new Reply.ChatReply(entry.chat());
                });
    }

    /**
     * The application's backend creates a chat for any users (server API): direct and booking
     * chats have exactly two members, group and project chats 1 to {@link #MAX_MEMBERS}, support
     * chats one customer and an application id. {@code ownerId} (or the first member) owns it.
     * No chat quota: the application decides.
     */
    public CompletableFuture<Reply> createFor(ChatKind kind, List<String> members, String ownerId, String title,
                                              Long applicationId) {
        Set<String> all = new LinkedHashSet<>(members);
        String owner = ownerId == null ? (all.isEmpty() ? null : all.iterator().next()) : ownerId;
        if (owner == null || !all.contains(owner)) {
            throw bad("members: the chat's owner must be one of its 1 to " + MAX_MEMBERS + " members");
        }
        String cleanTitle = title == null || title.isBlank() ? null : title.strip();
        switch (kind) {
            case DIRECT, BOOKING -> {
                if (all.size() != 2) {
                    throw bad("a " + kind.wireName().toLowerCase(Locale.ROOT) + " chat has exactly two members, got "
                            + all.size());
                }
                if (kind == ChatKind.BOOKING) {
                    return createWithUuid(owner, kind, all, cleanTitle, store -> { });
                }
                if (all.stream().anyMatch(id -> id.indexOf(DirectChatIds.SEPARATOR) >= 0)) {
                    throw bad("direct chats need user ids without '_'");
                }
                Set<String> others = new LinkedHashSet<>(all);
                others.remove(owner);
                return access.createDirect(owner, others.iterator().next(), cleanTitle)
                        .thenApply(entry -> new Reply.ChatReply(entry.chat()));
            }
            case GROUP, PROJECT -> {
                if (all.size() > MAX_MEMBERS + 1) {
                    throw bad("a chat created at once has at most " + (MAX_MEMBERS + 1) + " members");
                }
                return createWithUuid(owner, kind, all, cleanTitle, store -> { });
            }
            default -> {
                if (applicationId == null || all.size() != 1) {
                    throw bad("a support chat needs application_id and exactly one member: the customer");
                }
                return openSupportChat(new Principal(owner, false), new Command.OpenSupportChat(null, applicationId), false);
            }
        }
    }

    /** Seed 002 AddConversation: the support chat of an application, created on first call. */
    public CompletableFuture<Reply> openSupportChat(Principal principal, Command.OpenSupportChat c) {
        return openSupportChat(principal, c, true);
    }

    private CompletableFuture<Reply> openSupportChat(Principal principal, Command.OpenSupportChat c, boolean quota) {
        String chatId = Long.toString(c.applicationId());
        NewChat wanted = new NewChat(chatId, ChatKind.SUPPORT, principal.userId(), c.applicationId(), null,
                Set.of(principal.userId()), core.now());
        return core.history().call("open_support_chat", store -> {
            if (quota && store.findChat(chatId).isEmpty()) {
                core.checkChatQuota(store, principal.userId(), principal.staff());
            }
            Chat chat = store.createChatIfAbsent(wanted, core.outbox().chatCreated(wanted));
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
