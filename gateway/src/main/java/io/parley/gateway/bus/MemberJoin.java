package io.parley.gateway.bus;

/**
 * Broadcast to every node when a user joins a chat on one of them, so their cached member lists
 * (which decide a message's recipients) learn the new member.
 */
public record MemberJoin(int from, String chatId, String userId) {
}
