package io.parley.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Forces a database whose commits are not durable by themselves (H2, {@code CHECKPOINT SYNC}) to
 * disk after commits, once for all the commits that ask at the same time: a caller returns when a
 * force that began after it asked has finished, so it covers the caller's commit. One caller
 * forces, the others wait for it or for the next one (group commit, as PostgreSQL's WAL flush).
 *
 * <p>Why: a force writes every page changed since the last one and then syncs the file; under
 * load it costs far more than the commit it follows, and it writes the same pages for each caller.
 * A burst of small writes (many new direct chats at once) took a force each, one after the
 * other, and ran into the operation timeout.
 */
final class GroupSync {

    /** Runs one force on a connection. */
    @FunctionalInterface
    interface Force {
        void run(Connection connection) throws SQLException;
    }

    private final Force force;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    /** Callers numbered in the order they asked (each after its commit). */
    private long asked;
    /** Every caller numbered up to this is on disk. */
    private long forced;
    private boolean forcing;

    GroupSync(Force force) {
        this.force = force;
    }

    /** Forces with an SQL statement, such as H2's {@code CHECKPOINT SYNC}. */
    static GroupSync statement(String sql) {
        return new GroupSync(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        });
    }

    /**
     * Returns once everything committed before this call is on disk; may run the force on
     * {@code connection}. A failed force fails the caller that ran it; those waiting for it try
     * again themselves.
     */
    void afterCommit(Connection connection) throws SQLException {
        lock.lock();
        try {
            long ticket = ++asked;
            while (forced < ticket) {
                if (forcing) {
                    finished.awaitUninterruptibly(); // an interrupt inside JDBC can break H2's store
                    continue;
                }
                forceCovering(connection, asked);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs a force, outside the lock, that covers every caller up to {@code covers}. */
    private void forceCovering(Connection connection, long covers) throws SQLException {
        forcing = true;
        boolean done = false;
        lock.unlock();
        try {
            force.run(connection);
            done = true;
        } finally {
            lock.lock();
            forcing = false;
            if (done) {
                forced = Math.max(forced, covers);
            }
            finished.signalAll();
        }
    }
}
