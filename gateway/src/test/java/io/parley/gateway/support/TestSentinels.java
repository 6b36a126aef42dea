package io.parley.gateway.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import redis.embedded.RedisInstance;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Redis with Sentinel, of this test's own on loopback (the binaries ship in the embedded-redis
 * jar): a primary, one replica and three sentinels (quorum 2) watching them as {@link #MASTER}.
 * {@link #killPrimary()} stops the primary; the sentinels then promote the replica (about a
 * second to notice, a few to fail over). {@link #failOver} also brings the killed one back as
 * the new replica, for the next failover.
 */
public final class TestSentinels implements AutoCloseable {
    public static final String MASTER = "parley";

    /** The two data servers by port; which one is the primary changes with each failover. */
    private final Map<Integer, RedisServer> servers = new HashMap<>();
    private final List<RedisSentinel> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private TestSentinels() throws IOException {
        int primaryPort = TestRedis.freePort();
        servers.put(primaryPort, server(primaryPort, null));
        int replicaPort = TestRedis.freePort();
        servers.put(replicaPort, server(replicaPort, primaryPort));
        for (int i = 0; i < 3; i++) {
            int port = TestRedis.freePort();
            RedisSentinel sentinel = RedisSentinel.newRedisSentinel()
                    .bind("127.0.0.1").port(port)
                    .masterName(MASTER).masterPort(primaryPort).quorumSize(2)
                    .downAfterMilliseconds(1000).failOverTimeout(3000).parallelSyncs(1)
                    .build();
            sentinel.start();
            sentinels.add(sentinel);
            sentinelPorts.add(port);
        }
    }

    public static TestSentinels start() {
        try {
            return new TestSentinels();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Redis with Sentinel", e);
        }
    }

    private static RedisServer server(int port, Integer primaryPort) throws IOException {
        var builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                .setting("save \"\"").setting("appendonly no");
        if (primaryPort != null) {
            builder.slaveOf("127.0.0.1", primaryPort);
        }
        RedisServer server = builder.build();
        server.start();
        return server;
    }

    /** What a node's {@code redis_url} says: the three sentinels and the master's name. */
    public String url() {
        return "redis-sentinel://" + sentinelPorts.stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(",")) + "#" + MASTER;
    }

    /**
     * Stops the current primary's process and returns its port: the sentinels fail over to the
     * replica (about a second to notice, a few to fail over).
     */
    public int killPrimary() {
        int port = primaryPort();
        try {
            servers.get(port).stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return port;
    }

    /**
     * Kills the primary, waits until the sentinels name another, then starts the killed server
     * again, empty: the sentinels make it the new primary's replica, so the group can fail over
     * once more.
     */
    public void failOver(Duration timeout) {
        int killed = killPrimary();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (primaryPort() == killed) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sentinels did not fail over within " + timeout);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        try {
            servers.put(killed, server(killed, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port of the primary the sentinels name now. */
    private int primaryPort() {
        RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + sentinelPorts.get(0)));
        try (StatefulRedisSentinelConnection<String, String> sentinel = client.connectSentinel()) {
            return ((InetSocketAddress) sentinel.sync().getMasterAddrByName(MASTER)).getPort();
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        List<RedisInstance> all = new ArrayList<>(sentinels);
        all.addAll(servers.values());
        for (RedisInstance instance : all) {
            try {
                if (instance.isActive()) {
                    instance.stop();
                }
            } catch (IOException e) {
                // closing: the others still get stopped
            }
        }
    }
}
