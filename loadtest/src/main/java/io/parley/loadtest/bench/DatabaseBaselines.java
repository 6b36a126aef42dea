package io.parley.loadtest.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two database baselines, on a copy of Parley's {@code messages} table (same columns and
 * indexes, {@code LIKE messages INCLUDING ALL}) so that every row costs what a Parley row costs:
 * the raw ceiling (COPY, 1,000 rows per commit) and a naive writer (one INSERT per commit).
 * Both commit with synchronous_commit on, as Parley does.
 */
final class DatabaseBaselines {

    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() * 1_000);

    private final String url;
    private final String user;
    private final String password;
    private final String schema;

    DatabaseBaselines(String url, String user, String password, String schema) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
    }

    /** Rows per second of COPY FROM STDIN, {@code perCommit} rows per transaction. */
    double copyCeiling(int rows, int perCommit, int chats) throws SQLException {
        try (Connection c = connect()) {
            String table = freshTable(c, "bench_copy");
            c.setAutoCommit(false);
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            String sql = "COPY " + table + " (id, chat_id, seq, sender_id, content, content_type, reply_to,"
                    + " created_at, updated_at, deleted, edited) FROM STDIN";
            long[] seqs = new long[chats];
            long start = System.nanoTime();
            for (int done = 0; done < rows; done += perCommit) {
                StringBuilder text = new StringBuilder(perCommit * 120);
                String now = Instant.now().toString();
                for (int i = 0; i < perCommit; i++) {
                    int chat = (done + i) % chats;
                    text.append(IDS.incrementAndGet()).append('\t').append("chat-").append(chat).append('\t')
                            .append(++seqs[chat]).append('\t').append("user-").append(chat).append('\t')
                            .append(BenchMessages.content(done + i)).append("\t1\t\\N\t").append(now).append('\t')
                            .append(now).append("\tf\tf\n");
                }
                copy.copyIn(sql, new StringReader(text.toString()));
                c.commit();
            }
            return rows / seconds(start);
        } catch (java.io.IOException e) {
            throw new SQLException("COPY failed", e);
        }
    }

    /** Rows per second of single-row INSERTs, each its own transaction, for {@code seconds}. */
    double naiveInserts(double seconds, int chats) throws SQLException {
        try (Connection c = connect()) {
            String table = freshTable(c, "bench_naive");
            c.setAutoCommit(true); // one INSERT, one commit, one WAL flush
            long[] seqs = new long[chats];
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                    + " (id, chat_id, seq, sender_id, content, content_type, reply_to, created_at, updated_at,"
                    + " deleted, edited) VALUES (?, ?, ?, ?, ?, 1, NULL, ?, ?, FALSE, FALSE)")) {
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                int n = 0;
                while (System.nanoTime() < end) {
                    int chat = n % chats;
                    Timestamp now = Timestamp.from(Instant.now());
                    ps.setLong(1, IDS.incrementAndGet());
                    ps.setString(2, "chat-" + chat);
                    ps.setLong(3, ++seqs[chat]);
                    ps.setString(4, "user-" + chat);
                    ps.setString(5, BenchMessages.content(n));
                    ps.setTimestamp(6, now);
                    ps.setTimestamp(7, now);
                    ps.executeUpdate();
                    n++;
                }
                return n / seconds(start);
            }
        }
    }

    private String freshTable(Connection c, String name) throws SQLException {
        String table = schema + "." + name;
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (LIKE " + schema + ".messages INCLUDING ALL)");
        }
        return table;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
