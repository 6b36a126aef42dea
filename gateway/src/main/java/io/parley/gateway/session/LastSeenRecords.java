package io.parley.gateway.session;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * When users were last seen online, as the node or the cluster remembers it: written when a user
 * stops being shown on a node (their last visible connection there closed, they hid, or the node
 * died), read for presence snapshots. The single-node version ({@link LocalLastSeen}) keeps a
 * bounded map in memory; the cluster version ({@code bus.RedisLastSeen}) a key per user in Redis.
 */
public interface LastSeenRecords {

    /** The users among {@code userIds} with a last seen kept; one Redis round trip at most. */
    CompletableFuture<Map<String, LastSeen>> of(Collection<String> userIds);
}
