package io.parley.protocol.model;

/** Messages after the reader's cursor that someone else sent, in one chat. */
public record UnreadCount(String chatId, long unread) {
}
