package io.parley.loadtest.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Against the local PostgreSQL the runners use (skipped where none runs: they need it anyway). */
class DatabaseCheckpointsTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

    @BeforeAll
    static void needsPostgres() {
        try (Connection c = DriverManager.getConnection(URL, "postgres", "")) {
            assumeTrue(c.isValid(2));
        } catch (SQLException e) {
            assumeTrue(false, "no PostgreSQL on 127.0.0.1:5432: " + e.getMessage());
        }
    }

    @Test
    void settlingRunsACheckpointBeforeThePhaseAndCountsNoneInsideAQuietOne() throws SQLException {
        DatabaseCheckpoints settling = new DatabaseCheckpoints(URL, "postgres", "", true);
        DatabaseCheckpoints leaving = new DatabaseCheckpoints(URL, "postgres", "", false);

        long first = leaving.beforePhase();
        long second = settling.beforePhase();

        assertThat(second).as("the CHECKPOINT counts as a requested one").isGreaterThan(first);
        assertThat(settling.begunSince(second)).isEqualTo("PostgreSQL checkpoints begun in the phase: 0 (one ran just before it)");
        assertThat(leaving.begunSince(leaving.beforePhase())).isEqualTo("PostgreSQL checkpoints begun in the phase: 0");
    }
}
