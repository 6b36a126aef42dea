package io.parley.gateway.bus;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster as this node sees it now, for the node view: which bus carries events between
 * nodes, whether it reaches them, and which nodes it knows of. Read in memory, never from Redis:
 * the node view may ask every second.
 */
public interface ClusterView {

    /**
     * @param bus       {@code local} (one node, in-process), or the Redis topology: {@code redis},
     *                  {@code redis-sentinel}, {@code redis-cluster}
     * @param connected whether events reach the other nodes now (always, with the local bus)
     * @param nodes     the node ids known, this node's included, ascending
     */
    record State(String bus, boolean connected, List<Integer> nodes) {
    }

    State now();

    /** One node: the in-process bus, always connected, alone. */
    static ClusterView local(int nodeId) {
        State alone = new State("local", true, List.of(nodeId));
        return () -> alone;
    }

    /** A cluster node: the peers are the registry's, as last read or announced. */
    static ClusterView redis(ClusterOptions options, Bus bus, RedisUserRegistry users) {
        String topology = RedisLink.topology(options.redisUrl());
        return () -> {
            List<Integer> nodes = new ArrayList<>(users.peers());
            nodes.add(options.nodeId());
            nodes.sort(null);
            return new State(topology, bus.connected(), List.copyOf(nodes));
        };
    }
}
