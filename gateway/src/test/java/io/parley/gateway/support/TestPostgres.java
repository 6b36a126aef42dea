package io.parley.gateway.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh schema on the shared PostgreSQL server for one test class, dropped afterwards, so
 * parallel runs and other engineers' data never collide. Server: {@code PARLEY_TEST_POSTGRES_URL}
 * / {@code _USER} / {@code _PASSWORD}, by default {@code jdbc:postgresql://127.0.0.1:5432/test} as
 * {@code postgres} (trust).
 */
public final class TestPostgres implements AutoCloseable {
    public static final String URL = env("PARLEY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = env("PARLEY_TEST_POSTGRES_USER", "postgres");
    public static final String PASSWORD = env("PARLEY_TEST_POSTGRES_PASSWORD", "");

    private final String schema;

    private TestPostgres(String schema) {
        this.schema = schema;
    }

    /** Creates the schema; throws when PostgreSQL does not answer. */
    public static TestPostgres createSchema() throws SQLException {
        String schema = "parley_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return new TestPostgres(schema);
    }

    /** JDBC URL of the schema, for {@code storage_url}. */
    public String url() {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        return DriverManager.getConnection(URL, props);
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
