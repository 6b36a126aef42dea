package io.parley.gateway.support;

import redis.embedded.RedisInstance;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Redis with Sentinel, of this test's own on loopback (the binaries ship in the embedded-redis
 * jar): a primary, one replica and three sentinels (quorum 2) watching them as {@link #MASTER}.
 * {@link #killPrimary()} stops the primary; the sentinels then promote the replica (about a
 * second to notice, a few to fail over).
 */
public final class TestSentinels implements AutoCloseable {
    public static final String MASTER = "parley";

    private final RedisServer primary;
    private final RedisServer replica;
    private final List<RedisSentinel> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();

    private TestSentinels() throws IOException {
        int primaryPort = TestRedis.freePort();
        primary = server(primaryPort, null);
        replica = server(TestRedis.freePort(), primaryPort);
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

    /** Stops the primary process: the sentinels fail over to the replica. */
    public void killPrimary() {
        try {
            primary.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<RedisInstance> all = new ArrayList<>(sentinels);
        all.add(replica);
        all.add(primary);
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
