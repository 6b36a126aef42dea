package io.parley.loadtest.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What {@link OrderCheck} runs against: a fresh PostgreSQL schema, one {@link RedisServer} it can
 * restart, and nodes {@code PARLEY_NODE_ID} 1..n from the jar on both, with one shared random
 * token secret and {@link GatewayProcess#UNLIMITED_SENDS} (the scenario's sockets send in bursts).
 * {@link #close} stops everything (idempotent: also the shutdown hook's job) and drops the schema
 * unless {@link #keepSchema} asked to keep it as evidence.
 */
final class OrderCluster implements AutoCloseable {
    final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    final String schema = "parley_order_" + Long.toString(System.currentTimeMillis(), 36);
    final List<GatewayProcess> nodes = new ArrayList<>();
    final List<Path> nodeLogs = new ArrayList<>();
    final Path redisLog;
    private final String url;
    private final String user;
    private final String password;
    private RedisServer redis;
    private boolean schemaCreated;
    private volatile boolean keepSchema;
    private boolean closed;

    /** Nothing runs yet: {@link #start} starts it all (register {@link #close} as a shutdown hook first). */
    OrderCluster(String url, String user, String password) throws java.io.IOException {
        this.url = url;
        this.user = user;
        this.password = password;
        this.redisLog = Files.createTempFile("parley-order-redis-", ".log");
    }

    void start(Path jar, String redisBinary, int nodeCount) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        synchronized (this) {
            schemaCreated = true;
        }
        RedisServer started = RedisServer.start(redisBinary, redisLog);
        synchronized (this) {
            redis = started;
            stopIfClosed();
        }
        Map<String, String> env = new HashMap<>(GatewayProcess.UNLIMITED_SENDS);
        env.putAll(Map.of("PARLEY_STORAGE_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                "PARLEY_STORAGE_USER", user, "PARLEY_STORAGE_PASSWORD", password,
                "PARLEY_REDIS_URL", redis.url(), "PARLEY_JWT_SECRET", secret));
        for (int i = 1; i <= nodeCount; i++) {
            nodeLogs.add(Files.createTempFile("parley-order-node" + i + "-", ".log"));
        }
        System.out.println("schema " + schema + ", redis " + redis.url() + " (log " + redisLog + "), node logs "
                + nodeLogs);
        for (int i = 1; i <= nodeCount; i++) {
            GatewayProcess node = GatewayProcess.start(jar, GatewayProcess.with(env, "PARLEY_NODE_ID",
                    Integer.toString(i)), nodeLogs.get(i - 1));
            synchronized (this) {
                nodes.add(node);
                stopIfClosed();
            }
        }
    }

    /** Closed while starting (the shutdown hook): stop what started after it. */
    private void stopIfClosed() throws InterruptedException {
        if (closed) {
            closed = false;
            close();
            throw new IllegalStateException("stopped while starting");
        }
    }

    RedisServer redis() {
        return redis;
    }

    /** A run failed: leave its history in the database to look at. */
    void keepSchema() {
        keepSchema = true;
    }

    /** Null if every node still runs, else which one exited. */
    String deadNode() {
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).alive()) {
                return "node " + (i + 1) + " exited (see " + nodeLogs.get(i) + ")";
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (GatewayProcess node : nodes) {
            try {
                node.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (schemaCreated) {
            if (keepSchema) {
                System.out.println("kept schema " + schema + " of " + url + " (the failed runs' history); when done:"
                        + " DROP SCHEMA " + schema + " CASCADE");
            } else {
                try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA " + schema + " CASCADE");
                } catch (SQLException e) {
                    System.out.println("could not drop schema " + schema + ": " + e.getMessage());
                }
            }
        }
    }
}
