package io.parley.protocol.command;

import io.parley.protocol.model.Message;

/**
 * Something that happened in a chat and is pushed to its members' connections. Encoded once per
 * dialect and the bytes shared by every recipient of that dialect.
 */
public sealed interface ChatEvent {

    String chatId();

    /** A new committed message (seed 002 {@code Event.ReceiveMessage}). */
    record MessagePosted(Message message) implements ChatEvent {
        @Override
        public String chatId() {
            return message.chatId();
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
}
