package io.parley.gateway.support;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * A Redis server of this test's own (the binary ships in the embedded-redis jar), on a free
 * loopback port, keeping nothing on disk: {@link #restart()} brings it back empty, as a
 * production Redis without persistence would be. Never the shared server other engineers use.
 */
public final class TestRedis implements AutoCloseable {
    private final int port;
    private RedisServer server;

    private TestRedis(int port) {
        this.port = port;
        launch();
    }

    public static TestRedis start() {
        return new TestRedis(freePort());
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void launch() {
        try {
            server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Redis on port " + port, e);
        }
    }

    /** Stops the server (clients see connection refused until {@link #startAgain()}). */
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts it again on the same port, empty. */
    public void startAgain() {
        launch();
    }

    public void restart() {
        stop();
        startAgain();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server != null && server.isActive()) {
            stop();
        }
    }
}
