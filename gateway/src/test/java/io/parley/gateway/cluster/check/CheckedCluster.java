package io.parley.gateway.cluster.check;

import io.parley.gateway.support.NodeProcess;
import io.parley.gateway.support.TestRedis;
import io.parley.storage.EmbeddedPostgresServer;
import io.parley.storage.PostgresTestServers;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster a checker round runs on, with the handles its faults need: nodes in JVMs of their
 * own (production's {@code Main}, configured by environment, killable with SIGKILL), a PostgreSQL
 * of its own (embedded, so it can be stopped; the shared local server never is), a Redis of its
 * own (restarted empty) and, between each node and Redis, a {@link LinkProxy} that can cut or
 * slow that node's link alone.
 */
final class CheckedCluster implements AutoCloseable {
    /** Node ids 1..31; a killed node is replaced under a fresh id (its old one may linger in Redis). */
    private static final int MAX_NODE_ID = 31;

    final EmbeddedPostgresServer postgres;
    final TestRedis redis;
    private final String storageUrl;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private int lastNodeId;

    /** One node: its process and its own link to Redis. */
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
            redisLink.close();
        }
    }

    CheckedCluster(int nodeCount) {
        postgres = EmbeddedPostgresServer.startNew();
        PostgresTestServers.Server server = new PostgresTestServers.Server(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "");
        storageUrl = server.urlWithSchema(PostgresTestServers.newSchema(server));
        redis = TestRedis.start();
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
        LinkProxy link = new LinkProxy(redis.port());
        try {
            NodeProcess process = NodeProcess.start(Map.of(
                    "PARLEY_NODE_ID", Integer.toString(lastNodeId),
                    "PARLEY_STORAGE_URL", storageUrl,
                    "PARLEY_STORAGE_USER", EmbeddedPostgresServer.USER,
                    "PARLEY_STORAGE_PASSWORD", "",
                    "PARLEY_REDIS_URL", "redis://127.0.0.1:" + link.port()));
            return new Node(lastNodeId, process, link);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private boolean inUse(int id) {
        return nodes.stream().anyMatch(node -> node.id() == id);
    }

    @Override
    public void close() {
        nodes.forEach(Node::close);
        redis.close();
        postgres.close();
    }
}
