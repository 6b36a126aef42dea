package io.parley.loadtest.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL checkpoints around an open-loop phase. A checkpoint ends with fsyncs of the data
 * files that hold up the WAL flush of every commit for 30-100 ms on this VM's disk, and one falls
 * due after every ~540 MB of WAL. The closed-loop maximum writes that in under a minute, so the
 * following 10 s phases met a checkpoint it had triggered in most runs, several times as often as
 * a steady load of their own rate would (10k msg/s writes ~5 MB of WAL a second: one checkpoint
 * in ~100 s). {@link #beforePhase} checkpoints just before such a phase (unless told not to), so
 * it measures its own rate; {@link #begunSince} tells whether one fell inside it all the same.
 */
final class DatabaseCheckpoints {
    private final String url;
    private final String user;
    private final String password;
    private final boolean settle;

    /** @param settle whether {@link #beforePhase} runs a checkpoint (the runners' {@code checkpoint} argument) */
    DatabaseCheckpoints(String url, String user, String password, boolean settle) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.settle = settle;
    }

    /** Just before an open-loop phase: checkpoints (if settling) and returns the count for {@link #begunSince}. */
    long beforePhase() throws SQLException {
        if (settle) {
            checkpoint();
        }
        return count();
    }

    /** After the phase: how many checkpoints began in it, as a line of the runner's report. */
    String begunSince(long before) throws SQLException {
        return "PostgreSQL checkpoints begun in the phase: " + (count() - before)
                + (settle ? " (one ran just before it)" : "");
    }

    /** Runs a checkpoint now and returns when it is done (needs superuser or pg_checkpoint). */
    private void checkpoint() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /** Checkpoints begun since the server started (timed and requested); PostgreSQL 15 to 17. */
    private long count() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")) {
                r.next();
                return r.getLong(1);
            } catch (SQLException movedIn17) {
                try (ResultSet r = s.executeQuery("SELECT num_timed + num_requested FROM pg_stat_checkpointer")) {
                    r.next();
                    return r.getLong(1);
                }
            }
        }
    }
}
