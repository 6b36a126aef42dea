package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.Bus;
import io.parley.gateway.bus.Envelope;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Chat;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewChat;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.HistoryService;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The chat core: authorizes and runs every {@link Command}, whatever dialect it came from.
 *
 * <p>Nothing here blocks: storage work runs on the history service's threads and results come
 * back as futures completed on those threads (callers hop to their own event loop). A message is
 * published to its recipients only from the completion of its commit, so nothing is delivered
 * that is not in history, and the writer's in-order completions keep each chat's order.
 */
public final class ChatService {
    /** Most chats listed at once. */
    public static final int CHAT_LIST_LIMIT = 200;

    private final HistoryService history;
    private final ChatDirectory directory;
    private final MessageIds ids;
    private final Bus bus;
    private final Clock clock;
    private final int maxTextLength;
    private final GatewayMetrics metrics;

    public ChatService(HistoryService history, ChatDirectory directory, MessageIds ids, Bus bus, Clock clock,
                       int maxTextLength, GatewayMetrics metrics) {
        this.history = history;
        this.directory = directory;
        this.ids = ids;
        this.bus = bus;
        this.clock = clock;
        this.maxTextLength = maxTextLength;
        this.metrics = metrics;
    }

    /**
     * Runs a command for the principal.
     *
     * @param originSessionId the requesting connection, skipped when the resulting event is pushed
     *                        (it gets the reply instead); the user's other connections get the echo
     */
    public CompletableFuture<Reply> execute(Principal principal, long originSessionId, Command command) {
        try {
            checkIdentity(principal, command);
            if (command instanceof Command.OpenSupportChat c) {
                return openSupportChat(principal, c);
            } else if (command instanceof Command.ListChats) {
                return listChats(principal);
            } else if (command instanceof Command.GetHistory c) {
                return getHistory(principal, c);
            } else if (command instanceof Command.SendMessage c) {
                return send(principal, originSessionId, c);
            } else if (command instanceof Command.MarkRead c) {
                return markRead(principal, originSessionId, c);
            } else if (command instanceof Command.GetUnread) {
                return history.call("unread_counts", store -> (Reply) new Reply.UnreadSummary(
                        store.unreadCounts(principal.userId())));
            } else if (command instanceof Command.EditMessage c) {
                return change(principal, originSessionId, c.chatId(), c.messageId(), checkText(c.content()));
            } else if (command instanceof Command.DeleteMessage c) {
                return change(principal, originSessionId, c.chatId(), c.messageId(), null);
            }
            throw new ChatException(ErrorCode.BAD_REQUEST, "unsupported command " + command.getClass().getSimpleName());
        } catch (ChatException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Identity fields in a frame must name the authenticated principal: nobody acts as someone else. */
    private static void checkIdentity(Principal principal, Command command) {
        String claimed = command.claimedUserId();
        if (claimed != null && !claimed.equals(principal.userId())) {
            throw new ChatException(ErrorCode.FORBIDDEN,
                    "the request names user '" + claimed + "' but you are authenticated as '" + principal.userId() + "'");
        }
    }

    private CompletableFuture<Reply> openSupportChat(Principal principal, Command.OpenSupportChat c) {
        String chatId = Long.toString(c.applicationId());
        Instant now = now();
        NewChat wanted = new NewChat(chatId, ChatKind.SUPPORT, principal.userId(), c.applicationId(), null,
                Set.of(principal.userId()), now);
        return history.call("open_support_chat", store -> {
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
            directory.remember(entry);
            return new Reply.ChatReply(chat);
        });
    }

    private CompletableFuture<Reply> listChats(Principal principal) {
        return history.call("list_chats", store -> {
            if (!principal.staff()) {
                return new Reply.ChatList(store.chatsOf(principal.userId(), CHAT_LIST_LIMIT));
            }
            // Staff see every support chat as well as their own.
            Map<String, Chat> merged = new LinkedHashMap<>();
            store.chatsOf(principal.userId(), CHAT_LIST_LIMIT).forEach(chat -> merged.put(chat.id(), chat));
            store.chatsOfKind(ChatKind.SUPPORT, CHAT_LIST_LIMIT).forEach(chat -> merged.putIfAbsent(chat.id(), chat));
            List<Chat> chats = new ArrayList<>(merged.values());
            chats.sort(Comparator.comparing(Chat::updatedAt).reversed());
            return new Reply.ChatList(chats.size() > CHAT_LIST_LIMIT ? chats.subList(0, CHAT_LIST_LIMIT) : chats);
        });
    }

    private CompletableFuture<Reply> getHistory(Principal principal, Command.GetHistory c) {
        int limit = c.limit() <= 0 ? Command.GetHistory.DEFAULT_LIMIT : Math.min(c.limit(), Command.GetHistory.MAX_LIMIT);
        return member(principal, c.chatId()).thenCompose(entry -> history.call("history_page", store -> {
            List<Message> page = c.afterId() == null
                    ? store.page(c.chatId(), c.beforeId(), limit)
                    : store.after(c.chatId(), messageIn(store.findMessage(c.afterId()), c.chatId(), c.afterId()).seq(), limit);
            return (Reply) new Reply.HistoryPage(page, store.readCursors(c.chatId()));
        }));
    }

    private CompletableFuture<Reply> send(Principal principal, long originSessionId, Command.SendMessage c) {
        String content = checkText(c.content());
        return member(principal, c.chatId())
                .thenCompose(entry -> checkReplyTo(c.chatId(), c.replyTo()).thenApply(ok -> entry))
                .thenCompose(entry -> {
                    NewMessage message = new NewMessage(ids.next(), c.chatId(), principal.userId(), content,
                            c.contentType(), c.replyTo(), now());
                    // Completed on the history writer thread, in commit order: publish there so
                    // every recipient sees this chat's messages in sequence order.
                    return history.append(message).thenApply(committed -> {
                        metrics.messageIn();
                        bus.publish(new Envelope(new ChatEvent.MessagePosted(committed), entry.members(), originSessionId));
                        return (Reply) new Reply.MessageReply(committed);
                    });
                });
    }

    private CompletableFuture<Reply> markRead(Principal principal, long originSessionId, Command.MarkRead c) {
        return member(principal, c.chatId()).thenCompose(entry -> history.call("mark_read", store -> {
            Message message = messageIn(store.findMessage(c.messageId()), c.chatId(), c.messageId());
            if (store.advanceReadCursor(c.chatId(), principal.userId(), message.seq())) {
                bus.publish(new Envelope(new ChatEvent.MessageRead(c.chatId(), principal.userId(), message.id(),
                        message.seq()), entry.members(), originSessionId));
            }
            return (Reply) new Reply.Done();
        }));
    }

    /** Edits ({@code newContent} set) or soft-deletes ({@code null}) one of the principal's messages. */
    private CompletableFuture<Reply> change(Principal principal, long originSessionId, String chatId, long messageId,
                                            String newContent) {
        return member(principal, chatId).thenCompose(entry -> history.call("change_message", store -> {
            Message message = messageIn(store.findMessage(messageId), chatId, messageId);
            if (!message.senderId().equals(principal.userId())) {
                throw new ChatException(ErrorCode.FORBIDDEN, "only the sender may change message " + messageId);
            }
            if (message.deleted()) {
                throw new ChatException(ErrorCode.CONFLICT, "message " + messageId + " is deleted");
            }
            Optional<Message> changed = newContent == null
                    ? store.softDelete(messageId, now())
                    : store.edit(messageId, newContent, now());
            Message result = changed.orElseThrow(() -> notFound("message " + messageId));
            bus.publish(new Envelope(new ChatEvent.MessageChanged(result), entry.members(), originSessionId));
            return (Reply) new Reply.MessageReply(result);
        }));
    }

    /**
     * The chat, if the principal may use it: 404 when it does not exist, 403 when they are not a
     * member. Staff who open a support chat become members, so they get its pushes from then on.
     */
    private CompletableFuture<ChatEntry> member(Principal principal, String chatId) {
        return directory.find(chatId).thenCompose(found -> {
            ChatEntry entry = found.orElseThrow(() -> notFound("chat " + chatId));
            if (!entry.admits(principal)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "you are not a member of chat " + chatId);
            }
            return directory.addMember(entry, principal.userId());
        });
    }

    private CompletableFuture<Void> checkReplyTo(String chatId, Long replyTo) {
        if (replyTo == null) {
            return CompletableFuture.completedFuture(null);
        }
        return history.call("find_reply_to", store -> {
            messageIn(store.findMessage(replyTo), chatId, replyTo);
            return null;
        });
    }

    private static Message messageIn(Optional<Message> found, String chatId, long messageId) {
        return found.filter(m -> m.chatId().equals(chatId))
                .orElseThrow(() -> notFound("message " + messageId + " in chat " + chatId));
    }

    private String checkText(String content) {
        if (content == null || content.isBlank()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "message content must not be empty");
        }
        if (content.length() > maxTextLength) {
            throw new ChatException(ErrorCode.TOO_LARGE,
                    "message content is " + content.length() + " characters; the limit is " + maxTextLength);
        }
        return content;
    }

    private static ChatException notFound(String what) {
        return new ChatException(ErrorCode.NOT_FOUND, what + " not found");
    }

    /** Microsecond precision: what the stores keep, so a reply equals what history returns later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
