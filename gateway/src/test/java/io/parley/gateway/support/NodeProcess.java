package io.parley.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Parley node in a JVM of its own ({@code io.parley.gateway.Main}, configured through the
 * environment as in production), so a test can kill it the hard way ({@code SIGKILL}): no
 * shutdown hook, no close frames, no draining; or stop it as an orchestrator does ({@code SIGTERM}),
 * which runs {@code Main}'s shutdown hook.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Path log;

    private NodeProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the node and waits (with a deadline) until {@code /ready} answers 200. */
    public static NodeProcess start(Map<String, String> environment) {
        return start(environment, List.of());
    }

    /**
     * As {@link #start(Map)}, with options for the node's JVM, e.g.
     * {@code -Dlogback.configurationFile=logback.xml} for the jar's logging instead of the tests'.
     */
    public static NodeProcess start(Map<String, String> environment, List<String> jvmOptions) {
        NodeProcess node = launch(environment, jvmOptions, TestRedis.freePort());
        node.awaitReady();
        return node;
    }

    /** Starts the node on {@code port} without waiting for it. */
    public static NodeProcess launch(Map<String, String> environment, List<String> jvmOptions, int port) {
        try {
            Path dir = Files.createTempDirectory("parley-node-");
            Path log = dir.resolve("node.log");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx256m");
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classpath, "io.parley.gateway.Main"));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("PARLEY_"));
            builder.environment().putAll(environment);
            builder.environment().put("PARLEY_PORT", Integer.toString(port));
            builder.environment().put("PARLEY_BIND_ADDRESS", "127.0.0.1");
            builder.environment().put("PARLEY_DATA_DIR", dir.resolve("data").toString());
            builder.environment().put("PARLEY_JWT_SECRET", TestNode.SECRET);
            return new NodeProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node process exited with " + process.exitValue() + "; log: " + tail());
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("node not ready within " + START_DEADLINE + "; log: " + tail());
    }

    public long pid() {
        return process.pid();
    }

    /** {@code GET path} on the node: its status code, or -1 when the node does not answer. */
    public int httpStatus(String path) {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, without waiting ({@link #awaitExit} waits). */
    public void signalTerm() {
        process.destroy();
    }

    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    /** SIGKILL, and waits (bounded) until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("node process did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM ({@link Process#destroy()} on Linux) and waits up to {@code deadline} for the process
     * to exit by itself; returns its exit code. If it is still alive then, it is killed and this fails.
     */
    public int terminate(Duration deadline) {
        signalTerm();
        return awaitExit(deadline);
    }

    /** Waits up to {@code deadline} for the process to exit by itself; its exit code. */
    public int awaitExit(Duration deadline) {
        try {
            if (!process.waitFor(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                String log = tail();
                kill();
                throw new AssertionError("node process still alive after " + deadline + "; log: " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Everything the node has written to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The end of the node's output (for failure messages). */
    public String tail() {
        try {
            String text = Files.readString(log);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
