package io.parley.protocol.command;

import io.parley.protocol.model.Message;

import java.time.Instant;

/**
 * Something that happened in a chat and is pushed to its members' connections. Encoded once per
 * dialect and the bytes shared by every recipient of that dialect.
 */
public sealed interface ChatEvent {

    /** The chat it happened in; {@code null} for events about a user rather than a chat (presence). */
    String chatId();

    /**
     * The per-chat sequence of the message this event announces, or 0 when it announces no new
     * message. Lets a connection that loaded history skip events already in it.
     */
    default long messageSeq() {
        return 0;
    }

    /** A new committed message (seed 002 {@code Event.ReceiveMessage}). */
    record MessagePosted(Message message) implements ChatEvent {
        @Override
        public String chatId() {
            return message.chatId();
        }

        @Override
        public long messageSeq() {
            return message.seq();
        }
    }

    /** A message was edited or soft-deleted; carries the message as it is now. */
    record MessageChanged(Message message) implements ChatEvent {
        @Override
        public String chatId() {
            return message.chatId();
        }
    }

    /** A member's read cursor moved to {@code messageId}: its status is now 1 for the others. */
    record MessageRead(String chatId, String readerId, long messageId, long seq) implements ChatEvent {
    }

    /** Ephemeral: a member is typing. Never stored. */
    record Typing(String chatId, String userId, Instant at) implements ChatEvent {
    }

    /**
     * Ephemeral: a user came online (first visible connection) or went offline (last one closed
     * or hidden). Sent to the users who share a chat with them. Never stored.
     */
    record PresenceChanged(String userId, boolean online, Instant at) implements ChatEvent {
        @Override
        public String chatId() {
            return null;
        }
    }

    /**
     * A system event: someone joined the chat (a support agent opened a customer's conversation,
     * or the owner or the application added a member). Told to the members, the one who joined
     * included; every dialect but {@code pair} has a frame for it. Never stored; {@code eventId}
     * is unique and time-ordered like message ids.
     */
    record MemberJoined(long eventId, String chatId, String userId, boolean staff, Instant at) implements ChatEvent {
    }

    /**
     * A system event: a member left the chat or was removed (by its owner or the application).
     * Told to the members and to the one who left (its last word from the chat, so its client can
     * drop it); every dialect but {@code pair} has a frame for it. Never stored; {@code eventId}
     * as in {@link MemberJoined}.
     *
     * @param removedBy who removed the member: the owner's id, or {@link
     *                  io.parley.protocol.model.Message#SYSTEM_SENDER} for the application; null
     *                  when the member left
     */
    record MemberLeft(long eventId, String chatId, String userId, String removedBy, Instant at) implements ChatEvent {
    }
}
