package io.parley.gateway.bus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Removes from the cluster the peers whose liveness key expired (killed, no graceful leave): their
 * users leave the routing sets, and each user now online nowhere is reported as gone offline, the
 * transition no node saw happen. Checks every third of {@code node_ttl}; the first node to notice
 * a dead peer removes it.
 */
public final class DeadNodeSweep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadNodeSweep.class);

    private final RedisLink redis;
    private final RedisUserRegistry users;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final Consumer<String> wentOffline;
    private final ScheduledExecutorService timer;

    /**
     * @param wentOffline told each user whose only node died; called on a non-event-loop thread,
     *                    must not block
     */
    public DeadNodeSweep(RedisLink redis, RedisUserRegistry users, ClusterOptions options, BusMetrics metrics,
                         Consumer<String> wentOffline) {
        this.redis = redis;
        this.users = users;
        this.options = options;
        this.metrics = metrics;
        this.wentOffline = wentOffline;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-dead-node-sweep");
            t.setDaemon(true);
            return t;
        });
        long period = options.nodeTtl().toMillis() / 3;
        timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        if (!redis.isUp()) {
            return;
        }
        users.nodes().thenAccept(nodes -> nodes.stream().filter(id -> id != options.nodeId()).forEach(id ->
                users.isAlive(id).thenAccept(alive -> {
                    if (!alive) {
                        log.warn("node {} stopped refreshing its liveness: removing its users from Redis", id);
                        users.dropNode(id).thenAccept(offline -> offline.forEach(wentOffline));
                    }
                }))).exceptionally(failure -> {
                    metrics.error("heartbeat");
                    return null;
                });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
