package io.parley.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * HikariCP pools for the two backends, with every wait bounded. Each store gets two pools:
 * <ul>
 *   <li>{@value #WRITE_POOL}: one connection per writer thread, used by appends only. Reads can
 *       never take the writer's connection, so slow or saturated reads never stall commits.</li>
 *   <li>{@value #READ_POOL}: one connection per read thread plus {@value #HEALTH_CONNECTIONS}
 *       for readiness checks.</li>
 * </ul>
 * Sizes come from {@link HistoryOptions}; both pools are fixed-size (minimumIdle = maximum), so
 * no connection is opened under load. With a {@link MeterRegistry} they report HikariCP's own
 * meters ({@code hikaricp_connections_active}, {@code _pending}, {@code _timeout_total}, ...)
 * tagged {@code pool=parley-history-write|read}.
 */
final class DataSources {

    static final String WRITE_POOL = "parley-history-write";
    static final String READ_POOL = "parley-history-read";
    static final int HEALTH_CONNECTIONS = 1;

    /** The two pools of one store; closing closes both. */
    record Pools(HikariDataSource write, HikariDataSource read) implements AutoCloseable {
        @Override
        public void close() {
            try {
                read.close();
            } finally {
                write.close();
            }
        }
    }

    /** How long a caller waits for a connection: with the database down, writes fail in this time. */
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    static final Duration VALIDATION_TIMEOUT = Duration.ofSeconds(1);

    /** PostgreSQL: TCP connect deadline and the longest a statement may leave the socket silent. */
    static final int PG_CONNECT_TIMEOUT_SECONDS = 5;
    static final int PG_SOCKET_TIMEOUT_SECONDS = 30;

    /**
     * H2 file database settings.
     * <ul>
     *   <li>{@code MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH}: the same SQL
     *       and the same lower-case identifiers and NULL order as PostgreSQL.</li>
     *   <li>{@code WRITE_DELAY=500} (H2's default): H2's background writer runs, writing what
     *       was committed at most half a second later and, above all, compacting the file: each
     *       commit rewrites the B-tree pages it touched, and only that thread reclaims the space
     *       of the pages replaced. With 0 it never runs and the file grows by a few KB per commit
     *       without end. Durability does not rest on it: appends are made durable by the store's
     *       journal before they are acknowledged ({@link JournaledAppends}), and every other write
     *       acknowledged to a user runs {@code CHECKPOINT SYNC} after its commit (see
     *       {@link #H2_SYNC}), which writes the store and fsyncs the file. The writes that skip it
     *       (read cursors, webhook claims and outcomes, deletions of due files) may be lost to a
     *       crash within that half second; each is done again.</li>
     *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2's own shutdown hook would close the database while
     *       the gateway's graceful shutdown still drains the write queue; the store closes it
     *       instead ({@link JdbcHistoryStore#close()}).</li>
     * </ul>
     */
    static final String H2_SETTINGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=500;DB_CLOSE_ON_EXIT=FALSE";

    /** Forces the H2 store to disk (commit + fsync); run after acknowledged writes and at journal checkpoints. */
    static final String H2_SYNC = "CHECKPOINT SYNC";

    /** File name (without H2's {@code .mv.db}) inside the data directory. */
    static final String H2_FILE = "parley-history";

    /** The JDBC URL of the store in {@code dataDir}; in one JVM every connection to it shares one database. */
    static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve(H2_FILE) + H2_SETTINGS;
    }

    /** The file H2 keeps the store in. */
    static Path h2File(Path dataDir) {
        return dataDir.resolve(H2_FILE + ".mv.db");
    }

    private DataSources() {
    }

    /** @param registry where HikariCP reports its pool meters; {@code null} for none */
    static Pools h2(Path dataDir, HistoryOptions options, MeterRegistry registry) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create history data directory " + dataDir, e);
        }
        String url = h2Url(dataDir);
        return pools(options, registry, "embedded H2 database in " + dataDir, config -> {
            config.setJdbcUrl(url);
            config.setUsername("sa");
            config.setPassword("");
        });
    }

    /** @param registry where HikariCP reports its pool meters; {@code null} for none */
    static Pools postgres(String jdbcUrl, String user, String password, HistoryOptions options,
                          MeterRegistry registry) {
        return pools(options, registry, "PostgreSQL at " + redact(jdbcUrl), config -> {
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
            // Driver defaults; a parameter in the URL itself takes precedence over these.
            config.addDataSourceProperty("reWriteBatchedInserts", "true"); // JDBC batch -> multi-row INSERT
            config.addDataSourceProperty("connectTimeout", String.valueOf(PG_CONNECT_TIMEOUT_SECONDS));
            config.addDataSourceProperty("socketTimeout", String.valueOf(PG_SOCKET_TIMEOUT_SECONDS));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            config.addDataSourceProperty("ApplicationName", "parley");
        });
    }

    private static Pools pools(HistoryOptions options, MeterRegistry registry, String what,
                               Consumer<HikariConfig> backend) {
        HikariConfig writeConfig = common(WRITE_POOL, options.writerThreads(), registry);
        backend.accept(writeConfig);
        HikariConfig readConfig = common(READ_POOL, options.readThreads() + HEALTH_CONNECTIONS, registry);
        backend.accept(readConfig);
        HikariDataSource write = open(writeConfig, what);
        try {
            return new Pools(write, open(readConfig, what));
        } catch (RuntimeException e) {
            write.close();
            throw e;
        }
    }

    private static HikariConfig common(String name, int size, MeterRegistry registry) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(VALIDATION_TIMEOUT.toMillis());
        if (registry != null) {
            config.setMetricRegistry(registry); // HikariCP's Micrometer tracker
        }
        // Hikari's default initializationFailTimeout: a database that is down at start-up fails
        // the start (migrations need it anyway); later outages fail requests and heal by themselves.
        return config;
    }

    private static HikariDataSource open(HikariConfig config, String what) {
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open " + what, e);
        }
    }

    /** A JDBC URL without its query string, which may carry a password. */
    static String redact(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?...";
    }
}
