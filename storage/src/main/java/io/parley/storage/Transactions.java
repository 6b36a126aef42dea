package io.parley.storage;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Runs one unit of work on a pooled connection, as one transaction, and turns every
 * {@link SQLException} into a {@link StoreException} that says what failed. The message names the
 * operation and the SQLState, never statement text or row values (they may hold user content);
 * the SQLException stays attached as the cause for the logs.
 */
final class Transactions {

    /** A unit of work on a connection; may throw SQLException, which is translated. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** When a write should also be forced to disk after its commit (see {@link #write}). */
    enum Sync { AFTER_COMMIT, NONE }

    // SQLStates of the two drivers that the stores react to.
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String FOREIGN_KEY_VIOLATION = "23503";           // PostgreSQL
    private static final String FOREIGN_KEY_PARENT_MISSING = "23506";      // H2

    private final DataSource dataSource;
    private final GroupSync forces;

    /**
     * @param forces forces the database to disk after the commit of a write that asks for
     *               {@link Sync#AFTER_COMMIT}, or {@code null} when a commit is durable by itself
     *               (PostgreSQL); shared by every Transactions of one database
     */
    Transactions(DataSource dataSource, GroupSync forces) {
        this.dataSource = dataSource;
        this.forces = forces;
    }

    /** Read-only work in auto-commit mode: one round trip per statement, nothing to commit. */
    <T> T read(String what, Work<T> work) {
        return autoCommitted(what, work);
    }

    /**
     * Work of one statement in auto-commit mode: the statement is atomic by itself and the server
     * commits it in the same round trip (durably: PostgreSQL's synchronous_commit).
     */
    <T> T singleStatement(String what, Work<T> work) {
        return autoCommitted(what, work);
    }

    private <T> T autoCommitted(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /** Work in one transaction: committed when it returns, rolled back when it throws. */
    <T> T write(String what, Sync sync, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // the pool restores auto-commit when it takes it back
            T result;
            try {
                result = work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            if (sync == Sync.AFTER_COMMIT) {
                forceToDisk(connection);
            }
            return result;
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /** Forces the database to disk (nothing on a database whose commits are durable). */
    void sync(String what) {
        if (forces == null) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            forceToDisk(connection);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    private void forceToDisk(Connection connection) throws SQLException {
        if (forces != null) {
            forces.afterCommit(connection);
        }
    }

    static boolean isUniqueViolation(SQLException e) {
        return hasState(e, UNIQUE_VIOLATION);
    }

    static boolean isForeignKeyViolation(SQLException e) {
        return hasState(e, FOREIGN_KEY_VIOLATION) || hasState(e, FOREIGN_KEY_PARENT_MISSING);
    }

    /** A batch failure carries the real cause in its chain of next exceptions (pgjdbc). */
    private static boolean hasState(SQLException e, String state) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (state.equals(x.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }

    private static StoreException translate(String what, SQLException e) {
        // Connection problems carry no user data and their text (pool state, "Connection
        // refused") is what an operator needs; statement errors keep only their SQLState.
        String detail = isConnectionProblem(e)
                ? e.getMessage()
                : "SQLState " + e.getSQLState();
        return new StoreException(what + " failed: " + detail, e);
    }

    private static boolean isConnectionProblem(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException || (state != null && state.startsWith("08"));
    }
}
