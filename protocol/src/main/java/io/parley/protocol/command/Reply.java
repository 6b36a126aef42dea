package io.parley.protocol.command;

import io.parley.protocol.model.Chat;
import io.parley.protocol.model.Message;
import io.parley.protocol.model.UnreadCount;
import io.parley.protocol.model.UserPresence;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The chat core's successful answer to a {@link Command}; each dialect encodes it its own way. */
public sealed interface Reply {

    record ChatReply(Chat chat) implements Reply {
    }

    record ChatList(List<Chat> chats) implements Reply {
    }

    /** Who is in a chat, in id order. */
    record ChatMembers(Chat chat, List<String> members) implements Reply {
        public ChatMembers {
            members = List.copyOf(members);
        }
    }

    /**
     * A page of history in ascending order plus the read cursors needed to tell each message's
     * status. {@code more}: another page exists in the direction asked for (older messages for a
     * page back, newer ones for a resume), so the client must ask again to have them all.
     */
    record HistoryPage(List<Message> messages, Map<String, Long> readCursors, boolean more) implements Reply {
        /** A page that is all there is. */
        public HistoryPage(List<Message> messages, Map<String, Long> readCursors) {
            this(messages, readCursors, false);
        }

        /**
         * Seed 002's {@code status}: 1 once any member other than the sender has read the message
         * (their read cursor reached its sequence), else 0. The same for every viewer.
         */
        public int statusOf(Message message) {
            for (Map.Entry<String, Long> cursor : readCursors.entrySet()) {
                if (!cursor.getKey().equals(message.senderId()) && cursor.getValue() >= message.seq()) {
                    return 1;
                }
            }
            return 0;
        }
    }

    record MessageReply(Message message) implements Reply {
    }

    record UnreadSummary(List<UnreadCount> chats) implements Reply {
        public long total() {
            return chats.stream().mapToLong(UnreadCount::unread).sum();
        }
    }

    /**
     * A {@link Command.RefreshToken} was accepted: the socket now lives until {@code expiresAt},
     * the new token's {@code exp}.
     */
    record TokenRefreshed(Instant expiresAt) implements Reply {
        public TokenRefreshed {
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /**
     * The answer to {@link Command.GetPresence}: one entry per user asked, in the order asked.
     * {@code more}: the principal has more contacts than one answer holds.
     */
    record PresenceSnapshot(List<UserPresence> users, boolean more) implements Reply {
        public PresenceSnapshot {
            users = List.copyOf(users);
        }
    }

    /** Success with nothing to return (seed 002 ReadMessage: {@code "result": null}). */
    record Done() implements Reply {
    }
}
