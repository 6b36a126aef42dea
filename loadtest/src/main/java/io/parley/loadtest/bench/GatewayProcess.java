package io.parley.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A Parley node in a JVM of its own ({@code java -jar parley-gateway.jar}), configured by environment. */
final class GatewayProcess implements AutoCloseable {

    /** The same heap for every server the runner starts, Parley or baseline. */
    static final List<String> SERVER_JVM_ARGS = List.of("-Xmx2g");

    private final ChildJvm jvm;
    private final int port;

    private GatewayProcess(ChildJvm jvm, int port) {
        this.jvm = jvm;
        this.port = port;
    }

    /**
     * Per-socket request limits high enough that one socket can carry a benchmark's share of the
     * load: the defaults (100 msg/s, burst 200) would measure the rate limiter, not the path.
     */
    static final Map<String, String> UNLIMITED_SENDS = Map.of("PARLEY_MAX_MESSAGES_PER_SECOND", "100000",
            "PARLEY_MESSAGE_BURST", "100000");

    /** {@code env} plus one more variable. */
    static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> all = new HashMap<>(env);
        all.put(key, value);
        return all;
    }

    /** A node on PostgreSQL with development tokens and {@link #UNLIMITED_SENDS} (the durable-sends benchmark). */
    static GatewayProcess start(Path jar, String storageUrl, String user, String password, Path log)
            throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(UNLIMITED_SENDS);
        env.putAll(Map.of("PARLEY_STORAGE_URL", storageUrl, "PARLEY_STORAGE_USER", user,
                "PARLEY_STORAGE_PASSWORD", password, "PARLEY_DEV_TOKENS", "true"));
        return start(jar, env, log);
    }

    /**
     * A node on a free port of 127.0.0.1 with its embedded store in a fresh directory, plus
     * {@code env} (e.g. {@code PARLEY_JWT_SECRET}, {@code PARLEY_STORAGE_URL}).
     */
    static GatewayProcess start(Path jar, Map<String, String> env, Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath() + " missing: run mvn -q -DskipTests package first");
        }
        int port = ChildJvm.freePort();
        Map<String, String> all = new HashMap<>();
        all.put("PARLEY_PORT", Integer.toString(port));
        all.put("PARLEY_BIND_ADDRESS", "127.0.0.1");
        all.put("PARLEY_DATA_DIR", Files.createTempDirectory("parley-bench-").toString());
        all.putAll(env);
        List<String> args = new java.util.ArrayList<>(SERVER_JVM_ARGS);
        ChildJvm jvm = ChildJvm.start("the node", args, List.of("-jar", jar.toString()), all, log);
        GatewayProcess node = new GatewayProcess(jvm, port);
        try {
            node.awaitReady(Duration.ofSeconds(60));
        } catch (RuntimeException | InterruptedException e) {
            node.close();
            throw e;
        }
        return node;
    }

    int port() {
        return port;
    }

    long pid() {
        return jvm.pid();
    }

    boolean alive() {
        return jvm.process().isAlive();
    }

    URI uri(String path, String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    /** The node's own count of open WebSockets (sum of {@code parley_connections} over dialects). */
    long connections() throws IOException, InterruptedException {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("/metrics", "http")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("parley_connections{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jvm.process().isAlive()) {
                throw new IllegalStateException("the node exited with " + jvm.process().exitValue() + " (see its log)");
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(uri("/ready", "http")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the node was not ready within " + limit);
    }

    @Override
    public void close() throws InterruptedException {
        jvm.close(); // SIGTERM: graceful shutdown
    }
}
