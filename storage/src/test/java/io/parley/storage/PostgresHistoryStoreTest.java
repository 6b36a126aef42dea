package io.parley.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The contract on a real PostgreSQL server, skipped when none answers. Each run of this class
 * works in a schema of its own, created first and dropped afterwards, so runs in parallel (or a
 * developer's data in the same database) do not collide.
 *
 * <p>Server: {@code PARLEY_TEST_POSTGRES_URL} / {@code _USER} / {@code _PASSWORD}, by default
 * {@code jdbc:postgresql://127.0.0.1:5432/test} as {@code postgres} with trust authentication.
 */
class PostgresHistoryStoreTest extends HistoryStoreContract {

    private static final String URL = env("PARLEY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = env("PARLEY_TEST_POSTGRES_USER", "postgres");
    private static final String PASSWORD = env("PARLEY_TEST_POSTGRES_PASSWORD", "");

    private static String schema;

    @BeforeAll
    static void createSchema() {
        schema = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            schema = null;
            Assumptions.abort("PostgreSQL not reachable at " + URL + ": " + e.getMessage());
        }
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (schema == null) {
            return;
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Override
    protected HistoryStore newStore() {
        return JdbcHistoryStore.postgres(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                USER, PASSWORD);
    }

    private static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("password", PASSWORD);
        props.setProperty("connectTimeout", "2");
        props.setProperty("loginTimeout", "2");
        return DriverManager.getConnection(URL, props);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
