package io.parley.gateway.core;

import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;
import io.parley.gateway.bus.ClusterNotices;
import io.parley.gateway.session.UserCutOff;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the application's backend asks of the chat core through the server API: creating chats for
 * any users, reading any chat's history, posting messages as the system or as a member, adding
 * and removing members, closing a chat, disconnecting a user and revoking their tokens on every
 * node. No principal: the caller checked the service token. Every change that has a webhook
 * event writes it in its own commit.
 */
public final class ApplicationRequests {
    /** What members of a closed chat read when the application gave no text. */
    static final String DEFAULT_CLOSING_TEXT = "This chat is closed.";

    private final CoreContext core;
    private final ChatCreation chats;
    private final Messaging messaging;
    private final UserCutOff cutOff;
    private final ClusterNotices notices;
    private final MemberChanges members;

    ApplicationRequests(CoreContext core, ChatCreation chats, Messaging messaging, UserCutOff cutOff,
                        ClusterNotices notices, MemberChanges members) {
        this.core = core;
        this.members = members;
        this.chats = chats;
        this.messaging = messaging;
        this.cutOff = cutOff;
        this.notices = notices;
    }

    /** Closes every socket of the user, on this node at once and on the others through the bus. */
    public CompletableFuture<Reply> disconnect(String userId) {
        cutOff.disconnect(userId);
        return notices.cutOff(userId, null).thenApply(told -> new Reply.Done());
    }

    /**
     * Refuses the user's tokens issued before {@code issuedBefore} from now on, durably, and closes the
     * sockets they opened, on every node.
     */
    public CompletableFuture<Reply> revoke(String userId, Instant issuedBefore) {
        return core.history().call("revoke_tokens", store -> store.revokeTokens(userId, issuedBefore))
                .thenCompose(standing -> {
                    cutOff.revoke(userId, standing);
                    return notices.cutOff(userId, standing);
                })
                .thenApply(told -> new Reply.Done());
    }

    /** See {@link ChatCreation#createFor}. */
    public CompletableFuture<Reply> createChat(ChatKind kind, List<String> members, String ownerId, String title,
                                               Long applicationId) {
        try {
            return chats.createFor(kind, members, ownerId, title, applicationId);
        } catch (ChatException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Posts as {@code senderId} (a member) or, when it is {@code null}, as the system. */
    public CompletableFuture<Reply> post(String chatId, String senderId, String text, String clientMessageId) {
        String sender = senderId == null ? Message.SYSTEM_SENDER : senderId;
        return core.existingChat(chatId).thenCompose(entry -> messaging.post(entry, sender, text, clientMessageId, false));
    }

    /** A page of any chat's history, as a member would read it (the same paging and resume). */
    public CompletableFuture<Reply> history(Command.GetHistory c) {
        return core.existingChat(c.chatId()).thenCompose(entry -> messaging.page(c));
    }

    /** Any chat's members, in id order. */
    public CompletableFuture<Reply> members(String chatId) {
        return members.list(null, chatId);
    }

    /** Adds a member, announced to the chat like a staff member joining (feed shows it). */
    public CompletableFuture<Reply> addMember(String chatId, String userId) {
        return members.add(null, chatId, userId);
    }

    /** Removes a member; see {@link MemberChanges#remove}. */
    public CompletableFuture<Reply> removeMember(String chatId, String userId) {
        return members.remove(null, chatId, userId);
    }

    /**
     * Closes the chat: later sends are refused (409), and the members are told in their dialect by
     * a last system message ({@code text}, or a default) in the chat's order. Closing a closed chat
     * changes nothing and posts nothing.
     */
    public CompletableFuture<Reply> close(String chatId, String text) {
        String notice = text == null || text.isBlank() ? DEFAULT_CLOSING_TEXT : text;
        return core.existingChat(chatId).thenCompose(before -> {
            if (before.chat().closed()) {
                return CompletableFuture.completedFuture((Reply) new Reply.ChatReply(before.chat()));
            }
            return core.directory().close(chatId, core.now(), core.outbox().chatClosed(chatId, core.now()))
                    .thenCompose(closed -> {
                        ChatEntry entry = closed.orElseThrow(() -> CoreContext.notFound("chat " + chatId));
                        return messaging.post(entry, Message.SYSTEM_SENDER, notice, null, true)
                                .thenApply(posted -> (Reply) new Reply.ChatReply(entry.chat()));
                    });
        });
    }
}
