package io.parley.protocol.command;

import io.parley.protocol.model.ChatKind;
import io.parley.protocol.model.ContentType;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a client asks the chat core to do, whatever dialect it spoke. Dialect decoders produce
 * commands; the core authorizes and runs them; dialect encoders turn the {@link Reply} back into
 * frames. Fields that name a user ({@code user_id}, {@code sender_id}, {@code executor_id}) are
 * carried as {@link #claimedUserId()} so the core can check them against the principal once,
 * for every dialect.
 */
public sealed interface Command {

    /** The identity the frame claims to act as, or {@code null} when the dialect names none. */
    String claimedUserId();

    default Optional<String> claimedIdentity() {
        return Optional.ofNullable(claimedUserId());
    }

    /** Seed 002 AddConversation: the support chat bound to an application, created on first call. */
    record OpenSupportChat(String claimedUserId, long applicationId) implements Command {
    }

    /** The chats the principal belongs to (staff: every support chat). */
    record ListChats(String claimedUserId) implements Command {
    }

    /**
     * A page of history, ascending: the newest page by default; {@code beforeId} pages back;
     * {@code afterId} resumes — the messages after that one, oldest first (at most one of the two).
     */
    record GetHistory(String chatId, String claimedUserId, Long beforeId, int limit, Long afterId) implements Command {
        public static final int DEFAULT_LIMIT = 50;
        public static final int MAX_LIMIT = 200;

        public GetHistory(String chatId, String claimedUserId, Long beforeId, int limit) {
            this(chatId, claimedUserId, beforeId, limit, null);
        }
    }

    /**
     * A new message. {@code clientMessageId} (or {@code null}) is the sender's own id for this
     * send: a repeat with the same one in the same chat is answered with the first one's message.
     * {@code attachmentId} (or {@code null}) is a file uploaded to the chat; with one, the content
     * may be empty (a caption). An {@link ContentType#IMAGE} message's content is the URL of an
     * uploaded image instead.
     */
    record SendMessage(String chatId, String claimedUserId, String content, ContentType contentType, Long replyTo,
                       String clientMessageId, String attachmentId) implements Command {
        public SendMessage(String chatId, String claimedUserId, String content, ContentType contentType, Long replyTo,
                           String clientMessageId) {
            this(chatId, claimedUserId, content, contentType, replyTo, clientMessageId, null);
        }

        public SendMessage(String chatId, String claimedUserId, String content, ContentType contentType, Long replyTo) {
            this(chatId, claimedUserId, content, contentType, replyTo, null);
        }
    }

    /** Moves the principal's read cursor forward to the given message. */
    record MarkRead(String chatId, String claimedUserId, long messageId) implements Command {
    }

    /** Unread counts across the principal's chats. */
    record GetUnread(String claimedUserId) implements Command {
    }

    record EditMessage(String chatId, String claimedUserId, long messageId, String content) implements Command {
    }

    record DeleteMessage(String chatId, String claimedUserId, long messageId) implements Command {
    }

    /**
     * Creates a chat of {@code kind} with the principal and {@code members}. Direct chats take
     * exactly one other member and are idempotent (their id is {@code "a_b"}); group, project and
     * booking chats get a fresh UUID; support chats use {@link OpenSupportChat}.
     */
    record CreateChat(ChatKind kind, Set<String> members, String title, String claimedUserId) implements Command {
        public CreateChat {
            members = Set.copyOf(members);
        }
    }

    /** The principal is typing in the chat: an ephemeral event, never stored. */
    record Typing(String chatId, String claimedUserId) implements Command {
    }

    /**
     * The connection's access token is replaced by {@code token} (a JWT), so the socket lives on
     * past the old one's expiry. Not a chat command: the connection checks the token exactly as
     * at the handshake and moves its own deadline; the chat core never sees it. The new token
     * must name the same user and be no service token. {@code then}: the request the same frame
     * also carries, run once the token is accepted (dialect {@code pair}, whose every frame
     * carries its credential), else {@code null}.
     */
    record RefreshToken(String token, Command then) implements Command {
        public RefreshToken {
            Objects.requireNonNull(token, "token");
        }

        public RefreshToken(String token) {
            this(token, null);
        }

        /** The token itself names the user; a frame cannot claim another. */
        @Override
        public String claimedUserId() {
            return null;
        }

        /** Never shows the token (logs, assertion messages). */
        @Override
        public String toString() {
            return "RefreshToken[then=" + then + "]";
        }
    }

    /**
     * A presence snapshot: whether each user is online and, if not, when they were last seen,
     * cluster-wide. {@code userIds} in the order to answer them (at most {@link #MAX_USERS}), or
     * {@code null} for the principal's contacts (the users sharing a chat with them, at most
     * {@link #MAX_CONTACTS}). A user the principal may not see is answered like an unknown one.
     */
    record GetPresence(List<String> userIds) implements Command {
        /** Ids one request may list. */
        public static final int MAX_USERS = 100;
        /** Contacts one request answers; a client with more asks by id. */
        public static final int MAX_CONTACTS = 500;

        public GetPresence {
            userIds = userIds == null ? null : List.copyOf(userIds);
        }

        /** The principal's contacts. */
        public static GetPresence ofContacts() {
            return new GetPresence(null);
        }

        @Override
        public String claimedUserId() {
            return null;
        }
    }

    /**
     * This connection shows its user as online ({@code true}) or hides it ({@code false}). A user
     * is online while at least one of their connections is open and not hidden.
     */
    record SetPresence(boolean visible) implements Command {
        @Override
        public String claimedUserId() {
            return null;
        }
    }
}
