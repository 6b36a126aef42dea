package io.parley.gateway.bus;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.parley.gateway.session.HostedUserListener;
import io.parley.gateway.session.OnlineUsers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which nodes host which users, in Redis: the cluster's routing table and its presence.
 *
 * <pre>
 * parley:user:{user}:nodes   set of node ids with an open connection of the user  (routing, presence)
 * parley:node:{node}:users   set of users the node registered                      (cleanup of a dead node)
 * parley:node:{node}:alive   liveness key with a TTL, refreshed by the node
 * parley:nodes               every node id that registered users
 * </pre>
 *
 * <p>Cost: a node writes once when a user's <em>first</em> connection to it opens and once when
 * the last one closes — one round trip (a script), however many chats the user is in. A publish
 * reads the nodes of all recipients in one round trip ({@code SUNION}). A restarted, empty Redis
 * is refilled by every node from its own sessions when it reconnects ({@link #restore}). A node
 * whose liveness key expired (killed) is removed by the first peer that notices
 * ({@link DeadNodeSweep}), and its users that were online nowhere else go offline.
 *
 * <p>The scripts touch keys they compute, so this needs one Redis (or a primary with replicas), not
 * Redis Cluster.
 */
public final class RedisUserRegistry implements OnlineUsers, HostedUserListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisUserRegistry.class);
    private static final String NODES = "parley:nodes";
    private static final String REGISTER = """
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            return redis.call('SCARD', KEYS[1])""";
    private static final String UNREGISTER = """
            redis.call('SREM', KEYS[1], ARGV[1])
            redis.call('SREM', KEYS[2], ARGV[2])
            return redis.call('SCARD', KEYS[1])""";
    /** Removes a node from every user it registered; returns the users now online nowhere. */
    private static final String DROP_NODE = """
            local offline = {}
            for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local key = 'parley:user:' .. user .. ':nodes'
              redis.call('SREM', key, ARGV[1])
              if redis.call('SCARD', key) == 0 then table.insert(offline, user) end
            end
            redis.call('DEL', KEYS[1])
            redis.call('SREM', KEYS[2], ARGV[1])
            return offline""";
    private static final String ONLINE_AMONG = """
            local online = {}
            for i, key in ipairs(KEYS) do
              if redis.call('EXISTS', key) == 1 then table.insert(online, ARGV[i]) end
            end
            return online""";

    private final RedisLink redis;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final byte[] self;
    private final ScheduledExecutorService heartbeat;

    public RedisUserRegistry(RedisLink redis, ClusterOptions options, BusMetrics metrics) {
        this.redis = redis;
        this.options = options;
        this.metrics = metrics;
        this.self = bytes(Integer.toString(options.nodeId()));
        // A previous run of this node id may have died without cleaning up: start clean.
        dropNode(options.nodeId()).toCompletableFuture().orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        refreshAlive().orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-cluster-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = options.nodeTtl().toMillis() / 3;
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /** The key of the set of node ids hosting the user (also read by the bus's publish script). */
    public static String userNodes(String userId) {
        return "parley:user:" + userId + ":nodes";
    }

    private static String nodeUsers(int nodeId) {
        return "parley:node:" + nodeId + ":users";
    }

    private static String nodeAlive(int nodeId) {
        return "parley:node:" + nodeId + ":alive";
    }

    private RedisAsyncCommands<String, byte[]> redis() {
        return redis.async();
    }

    // --- HostedUserListener: one round trip per first/last connection of a user on this node ---

    /** Whether another node already hosted the user: the count after this node's SADD, atomically. */
    @Override
    public CompletableFuture<Boolean> firstOpened(String userId) {
        return eval(REGISTER, userId).whenComplete((count, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.debug("cannot register {} on node {}: {}", userId, options.nodeId(), failure.toString());
            }
        }).thenApply(count -> count > 1);
    }

    /** Whether another node still hosts the user: the count after this node's SREM, atomically. */
    @Override
    public CompletableFuture<Boolean> lastClosed(String userId) {
        return eval(UNREGISTER, userId).whenComplete((count, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.debug("cannot unregister {} from node {}: {}", userId, options.nodeId(), failure.toString());
            }
        }).thenApply(count -> count > 0);
    }

    private CompletableFuture<Long> eval(String script, String userId) {
        return redis().<Long>eval(script, ScriptOutputType.INTEGER,
                new String[]{userNodes(userId), nodeUsers(options.nodeId())}, self, bytes(userId)).toCompletableFuture();
    }

    /**
     * After a reconnect: registers every user this node hosts again (a restarted Redis is empty).
     * Pipelined, no presence announcements (nobody's state changed).
     */
    public CompletableFuture<Void> restore(Supplier<Set<String>> hostedUsers) {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        writes.add(refreshAlive().thenApply(ok -> 0L));
        for (String user : hostedUsers.get()) {
            writes.add(eval(REGISTER, user));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.warn("restoring this node's users in Redis failed: {}", failure.toString());
            } else {
                log.info("node {} registered its {} user(s) in Redis again", options.nodeId(), writes.size() - 1);
            }
        });
    }

    // --- presence -----------------------------------------------------------------------------

    @Override
    public CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        List<String> users = List.copyOf(userIds);
        String[] keys = users.stream().map(RedisUserRegistry::userNodes).toArray(String[]::new);
        byte[][] names = users.stream().map(RedisUserRegistry::bytes).toArray(byte[][]::new);
        return redis().<List<byte[]>>eval(ONLINE_AMONG, ScriptOutputType.MULTI, keys, names).toCompletableFuture()
                .thenApply(online -> {
                    Set<String> result = new HashSet<>();
                    online.forEach(b -> result.add(new String(b, StandardCharsets.UTF_8)));
                    return Set.copyOf(result);
                });
    }

    // --- liveness -----------------------------------------------------------------------------

    private CompletableFuture<Void> refreshAlive() {
        CompletableFuture<String> alive = redis().set(nodeAlive(options.nodeId()), self,
                SetArgs.Builder.px(options.nodeTtl().toMillis())).toCompletableFuture();
        CompletableFuture<Long> listed = redis().sadd(NODES, self).toCompletableFuture();
        return CompletableFuture.allOf(alive, listed);
    }

    /** Refreshes this node's liveness ({@link DeadNodeSweep} removes peers that stopped theirs). */
    private void beat() {
        if (!redis.isUp()) {
            return;
        }
        refreshAlive().exceptionally(failure -> {
            metrics.error("heartbeat");
            return null;
        });
    }

    /** The node ids that registered users, this one included. */
    CompletableFuture<List<Integer>> nodes() {
        return redis().smembers(NODES).toCompletableFuture().thenApply(nodes -> nodes.stream()
                .map(node -> Integer.parseInt(new String(node, StandardCharsets.US_ASCII))).toList());
    }

    CompletableFuture<Boolean> isAlive(int nodeId) {
        return redis().exists(nodeAlive(nodeId)).toCompletableFuture().thenApply(exists -> exists > 0);
    }

    /** Removes the node from every user it registered; the users now online nowhere. */
    CompletableFuture<List<String>> dropNode(int nodeId) {
        return redis().<List<byte[]>>eval(DROP_NODE, ScriptOutputType.MULTI,
                        new String[]{nodeUsers(nodeId), NODES}, bytes(Integer.toString(nodeId)))
                .toCompletableFuture()
                .thenApply(users -> users.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Graceful stop: this node's users are removed from Redis (they reconnect elsewhere). */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        if (!redis.isUp()) {
            return;
        }
        try {
            dropNode(options.nodeId()).orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
            redis().del(nodeAlive(options.nodeId())).toCompletableFuture()
                    .orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (RuntimeException e) {
            log.warn("could not remove node {} from Redis on shutdown: {}", options.nodeId(), e.toString());
        }
    }
}
