package io.parley.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on a real PostgreSQL server: the local one when it answers, else an embedded one
 * ({@link PostgresTestServers}); never skipped. Each run of this class works in a schema of its
 * own, created first and dropped afterwards.
 */
class PostgresHistoryStoreTest extends HistoryStoreContract {

    private static PostgresTestServers.Server server;
    private static String schema;

    @BeforeAll
    static void createSchema() {
        server = PostgresTestServers.shared();
        schema = PostgresTestServers.newSchema(server);
    }

    @AfterAll
    static void dropSchema() {
        PostgresTestServers.dropSchema(server, schema);
    }

    @Override
    protected HistoryStore newStore() {
        return JdbcHistoryStore.postgres(server.urlWithSchema(schema), server.user(), server.password());
    }

    @Test
    void hasNoFileOnTheNodesDisk() {
        assertThat(store.fileBytes()).isEmpty();
    }
}
