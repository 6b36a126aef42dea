package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.Envelope;
import io.parley.protocol.command.ChatEvent;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;
import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.Message;

import java.util.concurrent.CompletableFuture;

/**
 * Who is in a chat, changed by the application's backend (any chat, no rules: it checked its own)
 * or by a member of a group or project chat: its owner (the creator) adds and removes members,
 * any other member may leave. The other kinds have fixed members: a direct or booking chat's two
 * people, a support chat's customer and the staff who join by reading it. Each change is stored
 * with its webhook event, then announced to the chat ({@link ChatEvent.MemberJoined},
 * {@link ChatEvent.MemberLeft}) and to the other nodes.
 */
public final class MemberChanges {
    private final CoreContext core;

    MemberChanges(CoreContext core) {
        this.core = core;
    }

    /**
     * The chat's members in id order, for a reader the chat admits (a member, or staff in a support
     * chat), or for the application ({@code null}: any chat). Reading changes nothing: staff who
     * look do not join.
     */
    public CompletableFuture<Reply> list(Principal reader, String chatId) {
        return core.existingChat(chatId).thenApply(entry -> {
            if (reader != null && !entry.admits(reader)) {
                throw new ChatException(ErrorCode.FORBIDDEN, "you are not a member of chat " + chatId);
            }
            return new Reply.ChatMembers(entry.chat(), entry.members().stream().sorted().toList());
        });
    }

    /**
     * Adds {@code userId}; {@code actorId} is the member asking, or {@code null} for the
     * application. Adding a member again changes nothing.
     */
    public CompletableFuture<Reply> add(String actorId, String chatId, String userId) {
        return core.existingChat(chatId).thenCompose(entry -> {
            if (actorId != null) {
                checkOwner(entry, actorId, "adds members");
            }
            if (entry.members().contains(userId)) {
                return CompletableFuture.completedFuture((Reply) new Reply.ChatReply(entry.chat()));
            }
            return core.directory().addMember(entry, userId, core.outbox().memberAdded(chatId, userId, core.now()))
                    .thenApply(joined -> {
                        core.bus().publish(new Envelope(new ChatEvent.MemberJoined(core.ids().next(), chatId, userId,
                                false, core.now()), joined.members(), 0));
                        return new Reply.ChatReply(joined.chat());
                    });
        });
    }

    /**
     * Removes {@code userId}: from now on they neither receive nor may send in the chat. {@code actorId}
     * is the member asking (themselves: leaving; the owner: removing another), or {@code null} for
     * the application. The members and the one removed are told ({@link ChatEvent.MemberLeft})
     * where their dialect has a place for it.
     */
    public CompletableFuture<Reply> remove(String actorId, String chatId, String userId) {
        return core.existingChat(chatId).thenCompose(entry -> {
            if (actorId != null && actorId.equals(userId)) {
                checkMayLeave(entry, actorId);
            } else if (actorId != null) {
                checkOwner(entry, actorId, "removes members");
            }
            String removedBy = removedBy(actorId, userId);
            return core.directory()
                    .removeMember(chatId, userId, core.outbox().memberRemoved(chatId, userId, removedBy, core.now()))
                    .thenApply(removed -> {
                        if (!removed) {
                            throw CoreContext.notFound("member " + userId + " of chat " + chatId);
                        }
                        // The members before the removal: the one removed included.
                        core.bus().publish(new Envelope(new ChatEvent.MemberLeft(core.ids().next(), chatId, userId,
                                removedBy, core.now()), entry.members(), 0));
                        return (Reply) new Reply.Done();
                    });
        });
    }

    /** Null when the member left; the owner's id, or "system" for the application. */
    private static String removedBy(String actorId, String userId) {
        if (actorId == null) {
            return Message.SYSTEM_SENDER;
        }
        return actorId.equals(userId) ? null : actorId;
    }

    private static void checkOwner(ChatEntry entry, String actorId, String what) {
        checkMember(entry, actorId);
        checkChangeable(entry);
        if (!entry.chat().ownerId().equals(actorId)) {
            throw new ChatException(ErrorCode.FORBIDDEN, "only the chat's owner (" + entry.chat().ownerId() + ") " + what);
        }
    }

    private static void checkMayLeave(ChatEntry entry, String actorId) {
        checkMember(entry, actorId);
        checkChangeable(entry);
        if (entry.chat().ownerId().equals(actorId)) {
            throw new ChatException(ErrorCode.CONFLICT, "the owner cannot leave the chat: it would have nobody to"
                    + " manage its members");
        }
    }

    /** A non-member learns nothing about the chat, as when it reads it. */
    private static void checkMember(ChatEntry entry, String actorId) {
        if (!entry.members().contains(actorId)) {
            throw CoreContext.notFound("chat " + entry.chat().id());
        }
    }

    private static void checkChangeable(ChatEntry entry) {
        ChatKind kind = entry.chat().kind();
        if (kind != ChatKind.GROUP && kind != ChatKind.PROJECT) {
            throw new ChatException(ErrorCode.CONFLICT, "a " + kind.wireName() + " chat's members are fixed;"
                    + " members change in group and project chats");
        }
        if (entry.chat().closed()) {
            throw new ChatException(ErrorCode.CONFLICT, "chat " + entry.chat().id() + " is closed");
        }
    }
}
