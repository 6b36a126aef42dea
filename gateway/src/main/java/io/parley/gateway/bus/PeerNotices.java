package io.parley.gateway.bus;

import java.time.Instant;

/** What this node does when another node announces a change ({@link MemberJoins}, {@link ClusterNotices}). */
public interface PeerNotices {

    /** A user joined a chat: the cached member list learns them. */
    void memberJoined(String chatId, String userId);

    /** A chat lost a member or was closed: the cached entry goes. */
    void chatChanged(String chatId);

    /** A user was disconnected ({@code issuedBefore} null) or their older tokens revoked. */
    void cutOff(String userId, Instant issuedBefore);

    /**
     * This node's subscription to the announcements was interrupted and is back: joins and
     * changes announced meanwhile never arrived here, so nothing cached from before can be trusted.
     */
    void missedAnnouncements();
}
