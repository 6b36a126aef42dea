package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.gateway.bus.ClusterNotices;
import io.parley.gateway.presence.PresenceAnnouncer;
import io.parley.gateway.presence.PresenceSnapshots;
import io.parley.gateway.session.UserCutOff;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.Command;
import io.parley.protocol.command.ErrorCode;
import io.parley.protocol.command.Reply;

import java.util.concurrent.CompletableFuture;

/**
 * The chat core's front door: checks that a command acts as its principal, then hands it to the
 * service for its concept — {@link ChatCreation} (chats), {@link Messaging} (messages, reads,
 * typing), {@link PresenceAnnouncer} (online/offline) or {@link PresenceSnapshots} (who is
 * online, last seen). Every dialect and the REST API come through here.
 *
 * <p>Nothing here blocks: storage work runs on the history service's threads and results come
 * back as futures completed on those threads (callers hop to their own event loop). A message is
 * published to its recipients only from the completion of its commit, so nothing is delivered
 * that is not in history, and the writer's in-order completions keep each chat's order.
 *
 * <p>A connection keeps its requests in order with {@link #start}: it learns when each one has
 * taken its place ({@link Execution#ordered()}) and starts the next only then.
 */
public final class ChatService {
    private final ChatAccess access;
    private final ChatCreation chats;
    private final Messaging messaging;
    private final PresenceAnnouncer presence;
    private final PresenceSnapshots snapshots;
    private final ApplicationRequests application;
    private final MemberChanges members;
    private final Attachments attachments;

    /**
     * @param snapshots answers who is online and when users were last seen
     * @param cutOff    ends a user's sockets on this node (disconnect, revocation)
     * @param notices   tells the other nodes to do the same
     */
    public ChatService(CoreContext core, PresenceAnnouncer presence, PresenceSnapshots snapshots, UserCutOff cutOff,
                       ClusterNotices notices) {
        this.access = new ChatAccess(core);
        this.chats = new ChatCreation(core, access);
        this.messaging = new Messaging(core, access);
        this.presence = presence;
        this.snapshots = snapshots;
        this.members = new MemberChanges(core);
        this.attachments = new Attachments(core, access);
        this.application = new ApplicationRequests(core, chats, messaging, cutOff, notices, members);
    }

    /** Adding and removing members, by the application or by a chat's members. */
    public MemberChanges members() {
        return members;
    }

    /** Who may upload and download a chat's files. */
    public Attachments attachments() {
        return attachments;
    }

    /** What the application's backend asks through the server API (its service token checked by the caller). */
    public ApplicationRequests application() {
        return application;
    }


    /**
     * Runs a command for the principal.
     *
     * @param originSessionId the requesting connection, skipped when the resulting event is pushed
     *                        (it gets the reply instead); the user's other connections get the echo.
     *                        0 for requests without a connection (REST)
     */
    public CompletableFuture<Reply> execute(Principal principal, long originSessionId, Command command) {
        return start(principal, originSessionId, command).reply();
    }

    /**
     * Runs a command and tells when its effect has taken its place in order. A send has once its
     * message is in the history writer's queue: the writer numbers a chat's messages in queue
     * order, so a later send of the same connection can start at once and still be numbered
     * after it. Any other command has taken its place when it is answered.
     */
    public Execution start(Principal principal, long originSessionId, Command command) {
        if (command instanceof Command.SendMessage c) {
            try {
                checkIdentity(principal, command);
            } catch (ChatException e) {
                return Execution.answered(CompletableFuture.failedFuture(e));
            }
            return messaging.send(principal, originSessionId, c);
        }
        return Execution.answered(run(principal, originSessionId, command));
    }

    private CompletableFuture<Reply> run(Principal principal, long originSessionId, Command command) {
        try {
            checkIdentity(principal, command);
            if (command instanceof Command.OpenSupportChat c) {
                return chats.openSupportChat(principal, c);
            } else if (command instanceof Command.CreateChat c) {
                return chats.create(principal, c);
            } else if (command instanceof Command.ListChats) {
                return chats.list(principal);
            } else if (command instanceof Command.GetHistory c) {
                return messaging.history(principal, c);
            } else if (command instanceof Command.MarkRead c) {
                return messaging.markRead(principal, originSessionId, c);
            } else if (command instanceof Command.GetUnread) {
                return messaging.unread(principal);
            } else if (command instanceof Command.EditMessage c) {
                return messaging.change(principal, originSessionId, c.chatId(), c.messageId(), c.content());
            } else if (command instanceof Command.DeleteMessage c) {
                return messaging.change(principal, originSessionId, c.chatId(), c.messageId(), null);
            } else if (command instanceof Command.Typing c) {
                return messaging.typing(principal, originSessionId, c);
            } else if (command instanceof Command.SetPresence c) {
                presence.setVisible(principal.userId(), originSessionId, c.visible());
                return CompletableFuture.completedFuture(new Reply.Done());
            } else if (command instanceof Command.GetPresence c) {
                return snapshots.snapshot(principal, c);
            }
            throw new ChatException(ErrorCode.BAD_REQUEST, "unsupported command " + command.getClass().getSimpleName());
        } catch (ChatException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The chat with its members if the principal may use it (a socket bound to one chat checks this first). */
    public CompletableFuture<ChatEntry> access(Principal principal, String chatId) {
        try {
            return access.member(principal, chatId);
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
}
