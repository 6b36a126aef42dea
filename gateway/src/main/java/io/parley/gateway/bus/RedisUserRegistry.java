package io.parley.gateway.bus;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.parley.gateway.session.HostedUserListener;
import io.parley.gateway.session.LastSeen;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Which nodes host which users, in Redis: the cluster's routing table and its presence (the
 * layout, and why it suits Redis Cluster, in {@link RedisKeys}).
 *
 * <p>Cost: a node writes when a user's <em>first</em> connection to it opens and when the last one
 * closes: two commands sent together (the node's user set, the user's node set), however many
 * chats the user is in. They go out in the order the user's connections opened and closed, each
 * key's commands on one connection, so each set ends as the sessions did. A publish asks each
 * node's set ({@link RoutedPublisher}). A restarted, empty Redis (or a promoted replica that
 * lost the newest writes) is refilled by every node from its own sessions when it reconnects
 * ({@link #restore}). A node whose liveness key expired (killed) is removed by the first peer
 * that notices ({@link DeadNodeSweep}), and its users that were online nowhere else go offline.
 *
 * <p>Presence beyond routing: a node also keeps the set of its users who are hidden there (every
 * connection of theirs there sent {@code set_offline}), next to its user set, so any node can
 * tell who is shown online ({@link #shownAmong}); and where a user stops being shown (their last
 * visible connection here closed, they hid, or their node died) their last seen is written
 * ({@link RedisLastSeen}).
 *
 * <p>The other nodes ({@link #peers}) are known from {@link RedisKeys#NODES}, read at start, at
 * every heartbeat and after a reconnect, and from the nodes' own announcements when they start and
 * stop ({@link #peerChanged}); a node found dead leaves them with its users ({@link #dropNode}).
 */
public final class RedisUserRegistry implements OnlineUsers, HostedUserListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisUserRegistry.class);
    /** Adds a node to a user's set; the set's size after. */
    private static final String ADD_NODE = """
            redis.call('SADD', KEYS[1], ARGV[1])
            return redis.call('SCARD', KEYS[1])""";
    /** Removes a node from a user's set; the set's size after. */
    private static final String REMOVE_NODE = """
            redis.call('SREM', KEYS[1], ARGV[1])
            return redis.call('SCARD', KEYS[1])""";
    /** Users are written to their node's set in slices of this many per command. */
    private static final int SLICE = 1000;

    private final RedisLink redis;
    private final ClusterOptions options;
    private final BusMetrics metrics;
    private final byte[] self;
    private final String ownUsers;
    private final String ownHidden;
    private final RedisLastSeen lastSeen;
    /** The other nodes that registered users, as last read or announced. */
    private final Set<Integer> peers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeat;

    /** @param lastSeen where users stop being shown is written to */
    public RedisUserRegistry(RedisLink redis, ClusterOptions options, BusMetrics metrics, RedisLastSeen lastSeen) {
        this.redis = redis;
        this.options = options;
        this.metrics = metrics;
        this.lastSeen = lastSeen;
        this.self = bytes(Integer.toString(options.nodeId()));
        this.ownUsers = RedisKeys.nodeUsers(options.nodeId());
        this.ownHidden = RedisKeys.nodeHidden(options.nodeId());
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

    private RedisClusterAsyncCommands<String, byte[]> redis() {
        return redis.async();
    }

    /** The other nodes of the cluster, as last known (routing sends to these). */
    List<Integer> peers() {
        return List.copyOf(peers);
    }

    /** Another node announced it started (route to it from now on) or is stopping (no longer). */
    void peerChanged(int nodeId, PeerNotice.NodeChange change) {
        if (nodeId == options.nodeId()) {
            return;
        }
        if (change == PeerNotice.NodeChange.STARTED) {
            peers.add(nodeId);
        } else {
            peers.remove(nodeId);
        }
    }

    // --- HostedUserListener: two commands per first/last connection of a user on this node ---

    /** Whether another node already hosted the user: the count after this node's SADD, atomically. */
    @Override
    public CompletableFuture<Boolean> firstOpened(String userId) {
        // The node's set first (on one Redis they run in this order; in Redis Cluster they go to two
        // masters at once): a node dying in between leaves a user in its own set, which the
        // dead-node sweep cleans up, rather than a user's set naming a node nothing will clean.
        CompletableFuture<Long> listed = redis().sadd(ownUsers, bytes(userId)).toCompletableFuture();
        CompletableFuture<Long> count = nodesOf(ADD_NODE, userId);
        return listed.thenCombine(count, (ignored, nodes) -> nodes > 1).whenComplete((elsewhere, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.debug("cannot register {} on node {}: {}", userId, options.nodeId(), failure.toString());
            }
        });
    }

    /**
     * Whether another node still hosts the user: the count after this node's SREM, atomically. A
     * user shown here until now was last seen now; a hidden one leaves the hidden set too (their
     * last seen is when they hid).
     *
     * <p>The last seen is written before the user leaves this node's set (on one Redis commands
     * run in the order sent): a snapshot reads who is shown and then last seens, so one that finds
     * the user shown nowhere finds the new time, never the one before it.
     */
    @Override
    public CompletableFuture<Boolean> lastClosed(String userId, boolean wasShown) {
        if (wasShown) {
            lastSeen.record(userId, LastSeen.Reason.CLOSED);
        }
        CompletableFuture<Long> count = nodesOf(REMOVE_NODE, userId);
        CompletableFuture<Long> unlisted = redis().srem(ownUsers, bytes(userId)).toCompletableFuture();
        if (!wasShown) {
            unhide(userId); // after leaving the user set, or they would look shown here for a moment
        }
        return count.thenCombine(unlisted, (nodes, ignored) -> nodes > 0).whenComplete((elsewhere, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.debug("cannot unregister {} from node {}: {}", userId, options.nodeId(), failure.toString());
            }
        });
    }

    /**
     * One command: the node's hidden set (written in order with its user set, on the same slot);
     * a user who stops being shown gets their last seen first, as in {@link #lastClosed}.
     */
    @Override
    public void shownChanged(String userId, boolean shown, boolean byClose) {
        if (shown) {
            unhide(userId);
            return;
        }
        lastSeen.record(userId, byClose ? LastSeen.Reason.CLOSED : LastSeen.Reason.HIDDEN);
        redis().sadd(ownHidden, bytes(userId)).whenComplete((added, failure) -> registerFailed(userId, failure));
    }

    private void unhide(String userId) {
        redis().srem(ownHidden, bytes(userId)).whenComplete((removed, failure) -> registerFailed(userId, failure));
    }

    private void registerFailed(String userId, Throwable failure) {
        if (failure != null) {
            metrics.error("register");
            log.debug("cannot write whether {} is hidden on node {}: {}", userId, options.nodeId(), failure.toString());
        }
    }

    private CompletableFuture<Long> nodesOf(String script, String userId) {
        return nodesOf(script, userId, self);
    }

    private CompletableFuture<Long> nodesOf(String script, String userId, byte[] node) {
        return redis().<Long>eval(script, ScriptOutputType.INTEGER, new String[]{RedisKeys.userNodes(userId)}, node)
                .toCompletableFuture();
    }

    /**
     * After a reconnect or failover: registers every user this node hosts again (a restarted Redis
     * is empty, a promoted replica may miss the newest writes), with the ones hidden here, and
     * reads the other nodes again. Pipelined, no presence announcements (nobody's state changed).
     */
    public CompletableFuture<Void> restore(Supplier<Set<String>> hostedUsers, Supplier<Set<String>> hiddenUsers) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        writes.add(refreshAlive());
        List<String> users = List.copyOf(hostedUsers.get());
        addInSlices(ownUsers, users, writes);
        // Hiding and showing while Redis was away were lost: the set is this node's sessions as they are now.
        writes.add(redis().del(ownHidden).toCompletableFuture());
        addInSlices(ownHidden, List.copyOf(hiddenUsers.get()), writes);
        for (String user : users) {
            writes.add(nodesOf(ADD_NODE, user));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
            if (failure != null) {
                metrics.error("register");
                log.warn("restoring this node's users in Redis failed: {}", failure.toString());
            } else {
                log.info("node {} registered its {} user(s) in Redis again", options.nodeId(), users.size());
            }
        });
    }

    private void addInSlices(String key, List<String> users, List<CompletableFuture<?>> writes) {
        for (int from = 0; from < users.size(); from += SLICE) {
            byte[][] slice = users.subList(from, Math.min(users.size(), from + SLICE)).stream()
                    .map(RedisUserRegistry::bytes).toArray(byte[][]::new);
            writes.add(redis().sadd(key, slice).toCompletableFuture());
        }
    }

    // --- presence -----------------------------------------------------------------------------

    /** Asks every node's user set (this node's too), one command per node, sent together. */
    @Override
    public CompletableFuture<Set<String>> onlineAmong(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        List<String> users = List.copyOf(userIds);
        byte[][] names = users.stream().map(RedisUserRegistry::bytes).toArray(byte[][]::new);
        List<Integer> nodes = new ArrayList<>(peers);
        nodes.add(options.nodeId());
        List<CompletableFuture<List<Boolean>>> answers = nodes.stream()
                .map(node -> redis().smismember(RedisKeys.nodeUsers(node), names).toCompletableFuture()).toList();
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(all -> {
            Set<String> online = new HashSet<>();
            for (CompletableFuture<List<Boolean>> answer : answers) {
                List<Boolean> members = answer.join();
                for (int i = 0; i < users.size(); i++) {
                    if (members.get(i)) {
                        online.add(users.get(i));
                    }
                }
            }
            return Set.copyOf(online);
        });
    }

    /**
     * Asks every node's user set and hidden set (this node's too): two commands per node, on the
     * node's slot, all sent together. Shown: in some node's users and not hidden there.
     */
    @Override
    public CompletableFuture<Set<String>> shownAmong(Collection<String> userIds) {
        if (userIds.isEmpty()) {
            return CompletableFuture.completedFuture(Set.of());
        }
        List<String> users = List.copyOf(userIds);
        byte[][] names = users.stream().map(RedisUserRegistry::bytes).toArray(byte[][]::new);
        List<Integer> nodes = new ArrayList<>(peers);
        nodes.add(options.nodeId());
        List<CompletableFuture<List<Boolean>>> hosted = new ArrayList<>();
        List<CompletableFuture<List<Boolean>>> hidden = new ArrayList<>();
        for (int node : nodes) {
            hosted.add(redis().smismember(RedisKeys.nodeUsers(node), names).toCompletableFuture());
            hidden.add(redis().smismember(RedisKeys.nodeHidden(node), names).toCompletableFuture());
        }
        List<CompletableFuture<List<Boolean>>> all = new ArrayList<>(hosted);
        all.addAll(hidden);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Set<String> shown = new HashSet<>();
            for (int n = 0; n < nodes.size(); n++) {
                List<Boolean> there = hosted.get(n).join();
                List<Boolean> hiddenThere = hidden.get(n).join();
                for (int i = 0; i < users.size(); i++) {
                    if (there.get(i) && !hiddenThere.get(i)) {
                        shown.add(users.get(i));
                    }
                }
            }
            return Set.copyOf(shown);
        });
    }

    // --- liveness -----------------------------------------------------------------------------

    /** Refreshes this node's liveness and membership, and reads the other nodes. */
    private CompletableFuture<Void> refreshAlive() {
        CompletableFuture<String> alive = redis().set(RedisKeys.nodeAlive(options.nodeId()), self,
                SetArgs.Builder.px(options.nodeTtl().toMillis())).toCompletableFuture();
        CompletableFuture<Long> listed = redis().sadd(RedisKeys.NODES, self).toCompletableFuture();
        // Only ever adds: right after a Redis restart a live node may not be listed again yet.
        // Peers leave when they announce their stop or a sweep finds them dead (dropNode).
        CompletableFuture<List<Integer>> known = nodes().thenApply(nodes -> {
            nodes.stream().filter(node -> node != options.nodeId()).forEach(peers::add);
            return nodes;
        });
        return CompletableFuture.allOf(alive, listed, known);
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
        return redis().smembers(RedisKeys.NODES).toCompletableFuture().thenApply(nodes -> nodes.stream()
                .map(node -> Integer.parseInt(new String(node, StandardCharsets.US_ASCII))).toList());
    }

    CompletableFuture<Boolean> isAlive(int nodeId) {
        return redis().exists(RedisKeys.nodeAlive(nodeId)).toCompletableFuture().thenApply(exists -> exists > 0);
    }

    /**
     * Removes the node from every user it registered, then the node itself; the users now online
     * nowhere. One command per user (their sets lie on slots of their own), sent together. Those
     * of them who were shown there were last seen now, when the cluster learned they left (a
     * hidden one's last seen stays when they hid).
     */
    CompletableFuture<List<String>> dropNode(int nodeId) {
        byte[] node = bytes(Integer.toString(nodeId));
        peers.remove(nodeId);
        CompletableFuture<Set<byte[]>> hosted = redis().smembers(RedisKeys.nodeUsers(nodeId)).toCompletableFuture();
        CompletableFuture<Set<byte[]>> hidden = redis().smembers(RedisKeys.nodeHidden(nodeId)).toCompletableFuture();
        return hosted.thenCombine(hidden, (members, hiddenMembers) -> {
            Set<String> hiddenThere = new HashSet<>();
            hiddenMembers.forEach(b -> hiddenThere.add(new String(b, StandardCharsets.UTF_8)));
            return new Members(members.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList(), hiddenThere);
        }).thenCompose(members -> {
            List<String> users = members.users();
            List<CompletableFuture<Long>> left = users.stream().map(user -> nodesOf(REMOVE_NODE, user, node)).toList();
            return CompletableFuture.allOf(left.toArray(CompletableFuture[]::new)).thenCompose(all -> {
                List<String> offline = new ArrayList<>();
                for (int i = 0; i < users.size(); i++) {
                    if (left.get(i).join() == 0) {
                        offline.add(users.get(i));
                        if (!members.hidden().contains(users.get(i))) {
                            lastSeen.record(users.get(i), LastSeen.Reason.NODE_GONE);
                        }
                    }
                }
                return CompletableFuture.allOf(redis().del(RedisKeys.nodeUsers(nodeId), RedisKeys.nodeHidden(nodeId))
                                .toCompletableFuture(), redis().srem(RedisKeys.NODES, node).toCompletableFuture())
                        .thenApply(done -> List.copyOf(offline));
            });
        });
    }

    private record Members(List<String> users, Set<String> hidden) {
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
            redis().del(RedisKeys.nodeAlive(options.nodeId())).toCompletableFuture()
                    .orTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (RuntimeException e) {
            log.warn("could not remove node {} from Redis on shutdown: {}", options.nodeId(), e.toString());
        }
    }
}
