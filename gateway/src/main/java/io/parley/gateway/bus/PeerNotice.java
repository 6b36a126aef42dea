package io.parley.gateway.bus;

/**
 * Broadcast to every node ({@link ClusterNotices}): a chat changed ({@code chatId} set), a user's
 * sockets must close ({@code userId} set; {@code issuedBeforeMillis} set for a revocation), or
 * the node {@code from} started or is stopping ({@code node} set: route to it from now on, or no
 * longer).
 */
public record PeerNotice(int from, String chatId, String userId, Long issuedBeforeMillis, NodeChange node) {

    /** A node joining or leaving the cluster. */
    public enum NodeChange { STARTED, STOPPING }

    static PeerNotice chatChanged(int from, String chatId) {
        return new PeerNotice(from, chatId, null, null, null);
    }

    static PeerNotice cutOff(int from, String userId, Long issuedBeforeMillis) {
        return new PeerNotice(from, null, userId, issuedBeforeMillis, null);
    }

    static PeerNotice node(int from, NodeChange change) {
        return new PeerNotice(from, null, null, null, change);
    }
}
