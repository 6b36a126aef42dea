package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.Envelope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.Attachment;
import io.parley.protocol.model.ContentType;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;
import io.parley.storage.StoredAttachment;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Messages in a chat: history pages, sending (acknowledged and published only after commit),
 * read cursors, edits, soft deletes, unread counts, and the ephemeral typing signal.
 */
public final class Messaging {
    private final CoreContext core;
    private final ChatAccess access;

    public Messaging(CoreContext core, ChatAccess access) {
        this.core = core;
        this.access = access;
    }

    public CompletableFuture<Reply> history(Principal principal, Command.GetHistory c) {
        return access.member(principal, c.chatId()).thenCompose(entry -> page(c));
    }

    /** A page of the chat's history as {@code c} asks, whoever may read it (checked by the caller). */
    CompletableFuture<Reply> page(Command.GetHistory c) {
        int limit = c.limit() <= 0 ? Command.GetHistory.DEFAULT_LIMIT : Math.min(c.limit(), Command.GetHistory.MAX_LIMIT);
        return core.history().call("history_page", store -> {
            // afterId resumes (the messages after the last one seen), else a page back from beforeId.
            // One message more than the page tells whether another page follows.
            List<Message> page;
            boolean more;
            if (c.afterId() == null) {
                page = store.page(c.chatId(), c.beforeId(), limit + 1);
                more = page.size() > limit;
                page = more ? page.subList(1, page.size()) : page; // ascending: the extra one is the oldest
            } else {
                long afterSeq = messageIn(store.findMessage(c.afterId()), c.chatId(), c.afterId()).seq();
                page = store.after(c.chatId(), afterSeq, limit + 1);
                more = page.size() > limit;
                page = more ? page.subList(0, limit) : page;
            }
            return (Reply) new Reply.HistoryPage(List.copyOf(page), store.readCursors(c.chatId()), more);
        });
    }

    /**
     * Appends the message; answered once it is committed and shown to its own connection in the
     * chat's order. The answer travels with the message ({@link Envelope#originAck}): answered at
     * commit instead, it could reach its connection after the push of a later message (one that
     * another node committed and this node delivered meanwhile).
     *
     * <p>The answer completes {@code reply} itself, not a stage chained to it: a chained stage
     * attached after its source completed runs later, on whichever thread attaches it, and that
     * write could follow pushes the connection's event loop wrote meanwhile.
     */
    Execution send(Principal principal, long originSessionId, Command.SendMessage c) {
        CompletableFuture<Void> ordered = new CompletableFuture<>();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        reply.whenComplete((r, failure) -> ordered.complete(null)); // also when refused before the queue
        try {
            Draft draft = draft(principal.userId(), c);
            access.member(principal, c.chatId())
                    .thenAccept(entry -> append(entry, draft, false, originSessionId, reply,
                            () -> ordered.complete(null)))
                    .exceptionally(failure -> {
                        reply.completeExceptionally(failure);
                        return null;
                    });
        } catch (ChatException e) {
            reply.completeExceptionally(e);
        }
        return new Execution(ordered, reply);
    }

    /**
     * A message the application's backend posts (server API): as {@code senderId}, a member, or as
     * the system ({@link Message#SYSTEM_SENDER}); delivered like any other. {@code evenIfClosed} lets the
     * notice of a chat's closing through.
     */
    CompletableFuture<Reply> post(ChatEntry entry, String senderId, String text, String clientMessageId,
                                  boolean evenIfClosed) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        try {
            String content = checkText(text);
            if (!senderId.equals(Message.SYSTEM_SENDER) && !entry.members().contains(senderId)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "sender " + senderId + " is not a member of chat "
                        + entry.chat().id());
            }
            append(entry, new Draft(senderId, content, ContentType.TEXT, null, clientMessageId, null), evenIfClosed,
                    0, reply, () -> { });
        } catch (ChatException e) {
            reply.completeExceptionally(e);
        }
        return reply;
    }

    /**
     * What a sender asked to post, before it gets an id and a time. An {@link ContentType#IMAGE}
     * draft's content is replaced by its attachment's URL once the attachment is found.
     */
    private record Draft(String senderId, String content, ContentType contentType, Long replyTo,
                         String clientMessageId, String attachmentId) {
    }

    /**
     * Text; or an attachment with an optional caption; or, with content type 2, the URL of an
     * image uploaded to the chat (any other URL is refused: a client cannot make members fetch an
     * address of its choosing).
     */
    private Draft draft(String senderId, Command.SendMessage c) {
        String attachmentId = c.attachmentId();
        String content = c.content();
        if (c.contentType() == ContentType.IMAGE) {
            String inUrl = Attachment.idInUrl(content.strip());
            if (inUrl == null) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "content_type 2 takes the URL of an image uploaded to"
                        + " this chat (" + Attachment.URL_PREFIX + "{id}, as POST /api/v1/chats/{chat}/attachments"
                        + " answers); other URLs are refused");
            }
            if (attachmentId != null && !attachmentId.equals(inUrl)) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "attachment_id and the image URL name different files");
            }
            attachmentId = inUrl;
            content = "";
        }
        return new Draft(senderId, attachmentId == null ? checkText(content) : checkLength(content), c.contentType(),
                c.replyTo(), c.clientMessageId(), attachmentId);
    }
    /**
     * Checks the chat is open and the reply-to exists, then queues the message; see {@link #send}.
     * {@code queued} runs once the message has its place in the write queue.
     */
    private void append(ChatEntry entry, Draft draft, boolean evenIfClosed, long originSessionId,
                        CompletableFuture<Reply> reply, Runnable queued) {
        String chatId = entry.chat().id();
        if (entry.chat().closed() && !evenIfClosed) {
            throw new ChatException(ErrorCode.CONFLICT, "chat " + chatId + " is closed: it takes no more messages");
        }
        checkReplyTo(chatId, draft.replyTo())
                .thenCompose(ok -> attachment(chatId, draft))
                .thenCompose(attachment -> outboxData(entry, draft.senderId())
                        .thenApply(outboxData -> newMessage(chatId, draft, attachment, outboxData)))
                .thenAccept(message -> {
                    core.history().append(message).whenComplete((committed, failure) -> {
                        try {
                            if (failure == null && committed.id() != message.id()) {
                                answerRepeat(committed, reply);
                            } else if (failure == null) {
                                publish(committed, entry, originSessionId, reply);
                                if (message.outboxData() != null) {
                                    core.outbox().committed();
                                }
                            } else {
                                reply.completeExceptionally(failure);
                            }
                        } catch (RuntimeException e) {
                            reply.completeExceptionally(e); // a bug: answered 500 rather than never
                        }
                    });
                    queued.run(); // numbered after everything queued before it
                })
                .exceptionally(failure -> {
                    reply.completeExceptionally(failure);
                    return null;
                });
    }

    private NewMessage newMessage(String chatId, Draft draft, Attachment attachment, String outboxData) {
        String content = attachment != null && draft.contentType() == ContentType.IMAGE
                ? attachment.url() : draft.content();
        return new NewMessage(core.ids().next(), chatId, draft.senderId(), content, draft.contentType(),
                draft.replyTo(), core.now(), draft.clientMessageId(), outboxData, attachment);
    }

    /**
     * With a webhook: who of the members (not the sender) has no socket open anywhere, looked up
     * just before the message is queued, so the application can push to exactly them.
     */
    private CompletableFuture<String> outboxData(ChatEntry entry, String senderId) {
        if (!core.outbox().enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        Set<String> others = new HashSet<>(entry.members());
        others.remove(senderId);
        return core.onlineUsers().onlineAmong(others).thenApply(online -> {
            others.removeAll(online);
            return core.outbox().messageData(others);
        });
    }

    /** Runs on the history writer, in commit order, so each chat's messages are published in sequence order. */
    private void publish(Message committed, ChatEntry entry, long originSessionId, CompletableFuture<Reply> reply) {
        core.metrics().messageIn();
        Reply answer = new Reply.MessageReply(committed);
        core.bus().publish(new Envelope(new ChatEvent.MessagePosted(committed), entry.members(), originSessionId,
                () -> reply.complete(answer)));
    }

    /**
     * A repeat of a send already stored (same client message id): answered with that message, not
     * published again; the members had it when it was first committed.
     */
    private void answerRepeat(Message stored, CompletableFuture<Reply> reply) {
        core.metrics().repeatedSend();
        reply.complete(new Reply.MessageReply(stored));
    }

    public CompletableFuture<Reply> markRead(Principal principal, long originSessionId, Command.MarkRead c) {
        return access.member(principal, c.chatId()).thenCompose(entry -> core.history().call("mark_read", store -> {
            Message message = messageIn(store.findMessage(c.messageId()), c.chatId(), c.messageId());
            if (store.advanceReadCursor(c.chatId(), principal.userId(), message.seq())) {
                core.bus().publish(new Envelope(new ChatEvent.MessageRead(c.chatId(), principal.userId(), message.id(),
                        message.seq()), entry.members(), originSessionId));
            }
            return (Reply) new Reply.Done();
        }));
    }

    public CompletableFuture<Reply> unread(Principal principal) {
        return core.history().call("unread_counts", store -> new Reply.UnreadSummary(
                store.unreadCounts(principal.userId())));
    }

    /** Edits ({@code newContent} set) or soft-deletes ({@code null}) one of the principal's messages. */
    public CompletableFuture<Reply> change(Principal principal, long originSessionId, String chatId, long messageId,
                                           String newContent) {
        String checked = newContent == null ? null : checkText(newContent);
        return access.member(principal, chatId).thenCompose(entry -> core.history().call("change_message", store -> {
            Message message = messageIn(store.findMessage(messageId), chatId, messageId);
            if (!message.senderId().equals(principal.userId())) {
                throw new ChatException(ErrorCode.FORBIDDEN, "only the sender may change message " + messageId);
            }
            if (message.deleted()) {
                throw new ChatException(ErrorCode.CONFLICT, "message " + messageId + " is deleted");
            }
            Optional<Message> changed = checked == null
                    ? store.softDelete(messageId, core.now())
                    : store.edit(messageId, checked, core.now());
            Message result = changed.orElseThrow(() -> CoreContext.notFound("message " + messageId));
            core.bus().publish(new Envelope(new ChatEvent.MessageChanged(result), entry.members(), originSessionId));
            return (Reply) new Reply.MessageReply(result);
        }));
    }

    /** Ephemeral: tells the other members the principal is typing. Never stored. */
    public CompletableFuture<Reply> typing(Principal principal, long originSessionId, Command.Typing c) {
        return access.member(principal, c.chatId()).thenApply(entry -> {
            core.bus().publish(new Envelope(new ChatEvent.Typing(c.chatId(), principal.userId(), core.now()),
                    entry.members(), originSessionId));
            return new Reply.Done();
        });
    }

    /**
     * The draft's attachment: uploaded to this chat and not yet collected; an image when the
     * draft is one. {@code null} without one.
     */
    private CompletableFuture<Attachment> attachment(String chatId, Draft draft) {
        if (draft.attachmentId() == null) {
            return CompletableFuture.completedFuture(null);
        }
        return core.history().call("find_attachment", store -> {
            Attachment found = store.findAttachment(draft.attachmentId())
                    .filter(stored -> stored.chatId().equals(chatId) && !stored.expired(core.now()))
                    .map(StoredAttachment::attachment)
                    .orElseThrow(() -> CoreContext.notFound("attachment " + draft.attachmentId() + " in chat " + chatId));
            if (draft.contentType() == ContentType.IMAGE && !found.image()) {
                throw new ChatException(ErrorCode.BAD_REQUEST, "attachment " + found.id() + " is " + found.mediaType()
                        + ", not an image: send it as an attachment, not as content_type 2");
            }
            return found;
        });
    }

    private CompletableFuture<Void> checkReplyTo(String chatId, Long replyTo) {
        if (replyTo == null) {
            return CompletableFuture.completedFuture(null);
        }
        return core.history().call("find_reply_to", store -> {
            messageIn(store.findMessage(replyTo), chatId, replyTo);
            return null;
        });
    }

    private static Message messageIn(Optional<Message> found, String chatId, long messageId) {
        return found.filter(m -> m.chatId().equals(chatId))
                .orElseThrow(() -> CoreContext.notFound("message " + messageId + " in chat " + chatId));
    }

    private String checkText(String content) {
        if (content == null || content.isBlank()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "message content must not be empty");
        }
        return checkLength(content);
    }

    /** Text that may be empty: an attachment's caption. */
    private String checkLength(String content) {
        if (content.length() > core.maxTextLength()) {
            throw new ChatException(ErrorCode.TOO_LARGE,
                    "message content is " + content.length() + " characters; the limit is " + core.maxTextLength());
        }
        return content;
    }
}
