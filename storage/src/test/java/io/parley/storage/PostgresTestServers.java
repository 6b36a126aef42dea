package io.parley.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * Where PostgreSQL tests run: the local server when one answers (by default
 * {@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres}, trust authentication;
 * override with {@code PARLEY_TEST_POSTGRES_URL} / {@code _USER} / {@code _PASSWORD}), otherwise
 * one embedded server started on first use and shared by the whole test JVM. Never skipped.
 *
 * <p>Each test class works in a schema of its own ({@link #newSchema}), so parallel runs and
 * other engineers' data in the same database do not collide.
 */
public final class PostgresTestServers {

    /** One server for the test JVM: url, user, password. */
    public record Server(String url, String user, String password) {

        /** The same server with {@code currentSchema} set: every statement runs in that schema. */
        public String urlWithSchema(String schema) {
            return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        public Connection connect() throws SQLException {
            Properties props = new Properties();
            props.setProperty("user", user);
            props.setProperty("password", password);
            props.setProperty("connectTimeout", "2");
            props.setProperty("loginTimeout", "2");
            return DriverManager.getConnection(url, props);
        }
    }

    private static Server shared;
    private static EmbeddedPostgresServer embedded;

    private PostgresTestServers() {
    }

    /** The local server if it answers, else the JVM's embedded one (started now if needed). */
    public static synchronized Server shared() {
        if (shared != null) {
            return shared;
        }
        Server local = new Server(env("PARLEY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"),
                env("PARLEY_TEST_POSTGRES_USER", "postgres"), env("PARLEY_TEST_POSTGRES_PASSWORD", ""));
        try (Connection ignored = local.connect()) {
            shared = local;
        } catch (SQLException unreachable) {
            embedded = EmbeddedPostgresServer.startNew();
            shared = new Server(embedded.jdbcUrl(), EmbeddedPostgresServer.USER, "");
        }
        return shared;
    }

    /** Creates a fresh, uniquely named schema on the server and returns its name. */
    public static String newSchema(Server server) {
        String schema = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        execute(server, "CREATE SCHEMA " + schema);
        return schema;
    }

    public static void dropSchema(Server server, String schema) {
        execute(server, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private static void execute(Server server, String sql) {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' failed on " + server.url() + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
