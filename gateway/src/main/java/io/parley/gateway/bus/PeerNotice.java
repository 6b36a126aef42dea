package io.parley.gateway.bus;

/**
 * Broadcast to every node ({@link ClusterNotices}): a chat changed ({@code chatId} set), or a
 * user's sockets must close ({@code userId} set; {@code issuedBeforeMillis} set for a revocation).
 */
public record PeerNotice(int from, String chatId, String userId, Long issuedBeforeMillis) {
}
