package io.parley.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of our own (zonky's bundled binaries) that a test may stop and start again
 * on the same data directory and port, as an operator would restart a production server. Used
 * where no local server runs and by the fault tests, which must never stop a shared server.
 *
 * <p>Note: zonky starts the server with fsync off ({@code -F}); a clean stop still writes
 * everything committed, which is all these tests rely on.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private EmbeddedPostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A fresh server on a free port with a new data directory; running when this returns. */
    public static EmbeddedPostgresServer startNew() {
        try {
            EmbeddedPostgresServer s = new EmbeddedPostgresServer(Files.createTempDirectory("parley-pg-"), freePort());
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare an embedded PostgreSQL", e);
        }
    }

    /** Starts the server (again) on the same data directory and port. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false) // a restart keeps what was committed
                    .setPort(port)
                    // Production settings where it matters here: every commit is durable.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    .setRegisterShutdownHook(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL on port " + port + " in " + dataDir, e);
        }
    }

    /** Stops the server (pg_ctl stop, fast mode: open connections are cut). Data stays. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL on port " + port, e);
        } finally {
            server = null;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
