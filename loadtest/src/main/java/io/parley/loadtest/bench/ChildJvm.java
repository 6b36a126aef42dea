package io.parley.loadtest.bench;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A JVM the runner starts and owns: a server under test (Parley's jar, the ideal baseline) or a
 * client process. Its stdin is a pipe from us: processes that watch it exit when we close it or
 * die, so nothing outlives a run. {@link #close()} sends SIGTERM, then kills after a deadline.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final String name;

    private ChildJvm(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /** Starts {@code java <jvmArgs> <mainArgs>} with extra environment; output goes to {@code log} (or is inherited when null). */
    static ChildJvm start(String name, List<String> jvmArgs, List<String> mainArgs, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(mainArgs);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        if (log != null) {
            builder.redirectOutput(log.toFile());
        }
        return new ChildJvm(builder.start(), name);
    }

    /** A main class of this module, on this module's classpath. */
    static ChildJvm startMain(String name, List<String> jvmArgs, Class<?> main, List<String> args,
                              Map<String, String> env, Path log) throws IOException {
        List<String> mainArgs = new ArrayList<>(List.of("-cp", classpath(), main.getName()));
        mainArgs.addAll(args);
        return start(name, jvmArgs, mainArgs, env, log);
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** Waits until something accepts TCP connections on the port (or the process died). */
    void awaitPort(int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " (see its log)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within " + limit);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy(); // SIGTERM: Parley shuts down gracefully
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** This module's classpath, also under {@code mvn exec:java} (whose class loader is a URLClassLoader). */
    static String classpath() {
        ClassLoader loader = ChildJvm.class.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            return java.util.Arrays.stream(urls.getURLs()).map(ChildJvm::path).collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    private static String path(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }
}
