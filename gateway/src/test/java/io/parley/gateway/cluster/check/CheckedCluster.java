package io.parley.gateway.cluster.check;

import io.parley.gateway.support.LinkProxy;
import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestRedis;
import io.parley.gateway.support.TestRedisCluster;
import io.parley.gateway.support.TestSentinels;
import io.parley.storage.EmbeddedPostgresServer;
import io.parley.storage.PostgresTestServers;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster a checker round runs on, with the handles its faults need: nodes in JVMs of their
 * own (production's {@code Main}, configured by environment, killable with SIGKILL), a PostgreSQL
 * of its own (embedded, so it can be stopped; the shared local server never is), and Redis of its
 * own in one of the three topologies a node supports ({@link Topology}): one server (restarted
 * empty; between each node and it a {@link LinkProxy} that can cut or slow that node's link
 * alone), Sentinel or Redis Cluster (a primary/master killed: a replica takes over).
 */
final class CheckedCluster implements AutoCloseable {
    /** Node ids 1..31; a killed node is replaced under a fresh id (its old one may linger in Redis). */
    private static final int MAX_NODE_ID = 31;

    /**
     * Which Redis the nodes share, the faults each can suffer, and those a short run tries (the
     * faults one Redis shares with the others are tried there).
     */
    enum Topology {
        ONE_REDIS(List.of(CheckRound.Fault.NONE, CheckRound.Fault.REDIS_RESTARTED_EMPTY, CheckRound.Fault.NODE_KILLED,
                CheckRound.Fault.POSTGRES_RESTARTED, CheckRound.Fault.REDIS_LINK_CUT, CheckRound.Fault.REDIS_LINK_SLOW), null),
        SENTINEL(List.of(CheckRound.Fault.NONE, CheckRound.Fault.REDIS_FAILOVER, CheckRound.Fault.NODE_KILLED),
                List.of(CheckRound.Fault.REDIS_FAILOVER)),
        REDIS_CLUSTER(List.of(CheckRound.Fault.NONE, CheckRound.Fault.REDIS_FAILOVER, CheckRound.Fault.NODE_KILLED),
                List.of(CheckRound.Fault.REDIS_FAILOVER));

        final List<CheckRound.Fault> faults;
        final List<CheckRound.Fault> shortRun;

        Topology(List<CheckRound.Fault> faults, List<CheckRound.Fault> shortRun) {
            this.faults = faults;
            this.shortRun = shortRun == null ? faults : shortRun;
        }
    }

    final EmbeddedPostgresServer postgres;
    final Topology topology;
    /** One of these three, by topology. */
    final TestRedis redis;
    private final TestSentinels sentinels;
    private final TestRedisCluster redisCluster;
    private final String storageUrl;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private int lastNodeId;

    /** One node: its process and its own link to Redis (one Redis only; null otherwise). */
    record Node(int id, NodeProcess process, LinkProxy redisLink) implements AutoCloseable {
        URI ws(String pathAndQuery) {
            return process.ws(pathAndQuery);
        }

        URI http(String path) {
            return URI.create(process.ws(path).toString().replaceFirst("^ws:", "http:"));
        }

        @Override
        public void close() {
            process.close();
            if (redisLink != null) {
                redisLink.close();
            }
        }
    }

    CheckedCluster(int nodeCount, Topology topology) {
        this.topology = topology;
        redisCluster = topology == Topology.REDIS_CLUSTER ? TestRedisCluster.start() : null;
        postgres = EmbeddedPostgresServer.startNew();
        PostgresTestServers.Server server = new PostgresTestServers.Server(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "");
        storageUrl = server.urlWithSchema(PostgresTestServers.newSchema(server));
        redis = topology == Topology.ONE_REDIS ? TestRedis.start() : null;
        sentinels = topology == Topology.SENTINEL ? TestSentinels.start() : null;
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(startNode());
        }
    }

    /** The nodes up now (a killed one is gone from the list until its replacement is ready). */
    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** SIGKILLs the node (no close frames, no drain), then starts a replacement under a fresh id. */
    void killAndReplace(Node doomed) {
        nodes.remove(doomed);
        doomed.close();
        nodes.add(startNode());
    }

    private Node startNode() {
        do {
            lastNodeId = lastNodeId % MAX_NODE_ID + 1;
        } while (inUse(lastNodeId));
        // Sentinel and Redis Cluster hand out the servers' own addresses: no proxy in between.
        LinkProxy link = redis == null ? null : new LinkProxy(redis.port());
        String redisUrl = switch (topology) {
            case ONE_REDIS -> "redis://127.0.0.1:" + link.port();
            case SENTINEL -> sentinels.url();
            case REDIS_CLUSTER -> redisCluster.url();
        };
        try {
            NodeProcess process = NodeProcess.start(Map.of(
                    "PARLEY_NODE_ID", Integer.toString(lastNodeId),
                    "PARLEY_STORAGE_URL", storageUrl,
                    "PARLEY_STORAGE_USER", EmbeddedPostgresServer.USER,
                    "PARLEY_STORAGE_PASSWORD", "",
                    "PARLEY_REDIS_URL", redisUrl));
            return new Node(lastNodeId, process, link);
        } catch (RuntimeException e) {
            if (link != null) {
                link.close();
            }
            throw e;
        }
    }

    /**
     * Kills the Sentinel primary, or a random Redis Cluster master: a replica takes over. Once it
     * has, the killed server comes back as a replica, so every round can fail over again.
     */
    void failOverRedis(Random random) {
        Duration limit = Duration.ofSeconds(30);
        if (sentinels != null) {
            sentinels.failOver(limit);
        } else {
            List<Integer> masters = redisCluster.masterPorts();
            int doomed = masters.get(random.nextInt(masters.size()));
            redisCluster.killMaster(doomed);
            redisCluster.awaitHealthy(limit);
            redisCluster.restart(doomed);
            redisCluster.awaitHealthy(limit);
        }
    }

    private boolean inUse(int id) {
        return nodes.stream().anyMatch(node -> node.id() == id);
    }

    @Override
    public void close() {
        nodes.forEach(Node::close);
        for (AutoCloseable redisOfSomeKind : new AutoCloseable[] {redis, sentinels, redisCluster}) {
            if (redisOfSomeKind != null) {
                try {
                    redisOfSomeKind.close();
                } catch (Exception e) {
                    // closing: the rest still closes
                }
            }
        }
        postgres.close();
    }
}
