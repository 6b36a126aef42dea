package io.parley.loadtest.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A Parley node in a JVM of its own ({@code java -jar parley-gateway.jar}), configured by environment. */
final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private GatewayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static GatewayProcess start(Path jar, String storageUrl, String user, String password, Path log)
            throws IOException, InterruptedException {
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-jar", jar.toString());
        Map<String, String> env = builder.environment();
        env.put("PARLEY_PORT", Integer.toString(port));
        env.put("PARLEY_BIND_ADDRESS", "127.0.0.1");
        env.put("PARLEY_STORAGE_URL", storageUrl);
        env.put("PARLEY_STORAGE_USER", user);
        env.put("PARLEY_STORAGE_PASSWORD", password);
        env.put("PARLEY_DATA_DIR", Files.createTempDirectory("parley-bench-").toString());
        env.put("PARLEY_DEV_TOKENS", "true");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        GatewayProcess node = new GatewayProcess(builder.start(), port);
        node.awaitReady(Duration.ofSeconds(60));
        return node;
    }

    int port() {
        return port;
    }

    URI uri(String path, String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the node exited with " + process.exitValue() + " (see its log)");
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
        process.destroy(); // SIGTERM: graceful shutdown
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
