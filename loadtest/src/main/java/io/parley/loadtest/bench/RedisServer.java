package io.parley.loadtest.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} the runner owns, without persistence, so that {@link #restart} brings it
 * back empty on the same port (what the nodes see when Redis is replaced). Its output is appended
 * to one log across restarts.
 */
final class RedisServer implements AutoCloseable {
    private final String binary;
    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(String binary, int port, Path log) {
        this.binary = binary;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code binary} on a free port of 127.0.0.1 and waits until it answers PING. */
    static RedisServer start(String binary, Path log) throws IOException, InterruptedException {
        RedisServer redis = new RedisServer(binary, ChildJvm.freePort(), log);
        redis.launch();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The running server's process id (for {@link CpuShares}); it changes with {@link #restart}. */
    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("redis-server on " + port + " is not running");
        }
        return process.pid();
    }

    /** Stops it, waits {@code down}, starts it again empty on the same port. */
    synchronized void restart(Duration down) throws IOException, InterruptedException {
        stop();
        Thread.sleep(down.toMillis());
        launch();
    }

    private synchronized void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitPong(Duration.ofSeconds(10));
    }

    private void awaitPong(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " (see " + log + ")");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] reply = in.readNBytes(7);
                if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer PING on " + port + " within " + limit);
    }

    private synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy(); // SIGTERM: without persistence it exits at once
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
