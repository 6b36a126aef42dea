package io.parley.gateway.bus;

/**
 * Where the cluster keeps its data in Redis, and on which hash slots (what Redis Cluster shards by):
 *
 * <pre>
 * parley:{node:N}:users    set of users node N hosts: routing, presence, cleanup of a dead node
 * parley:{node:N}          node N's channel (sharded in Redis Cluster: SPUBLISH/SSUBSCRIBE)
 * parley:{node:N}:alive    node N's liveness, with a TTL the node keeps refreshing
 * parley:{node:N}:hidden   the users of node N's set with every connection there hidden (set_offline)
 * parley:user:U:nodes      set of nodes hosting user U: whether a user is online elsewhere
 * parley:user:U:last_seen  when user U was last seen online, and how they left ("millis reason"), with a TTL
 * parley:nodes             every node id that registered users
 * parley:joins, parley:notices   broadcast channels (classic PUBLISH reaches every shard)
 * </pre>
 *
 * <p>Everything about one node shares the hash tag {@code {node:N}}, so one slot: the routing
 * script that asks "does node N host any of these recipients?" can publish to node N's channel in
 * the same step, on the one Redis server that owns that slot. Different nodes' tags fall on
 * different slots, so in Redis Cluster routing and publishing spread over the masters by
 * destination node. A routing decision never needs keys of two nodes at once; only a single
 * Redis (or Sentinel's primary), where every slot is local, takes all nodes in one call.
 *
 * <p>The price: in Redis Cluster a batch of events costs a call per other node, also to one
 * hosting none of its recipients. Keys per chat would instead cost a connection a write per chat
 * of the user, and a routing table cached in every node a broadcast per connection.
 */
public final class RedisKeys {
    public static final String NODES = "parley:nodes";
    public static final String JOINS_CHANNEL = "parley:joins";
    public static final String NOTICES_CHANNEL = "parley:notices";

    private RedisKeys() {
    }

    public static String nodeUsers(int nodeId) {
        return "parley:{node:" + nodeId + "}:users";
    }

    public static String nodeChannel(int nodeId) {
        return "parley:{node:" + nodeId + "}";
    }

    public static String nodeAlive(int nodeId) {
        return "parley:{node:" + nodeId + "}:alive";
    }

    public static String nodeHidden(int nodeId) {
        return "parley:{node:" + nodeId + "}:hidden";
    }

    /** A key of its own, written by single-key commands: on whatever slot the user's id puts it. */
    public static String userLastSeen(String userId) {
        return "parley:user:" + userId + ":last_seen";
    }

    public static String userNodes(String userId) {
        return "parley:user:" + userId + ":nodes";
    }
}
