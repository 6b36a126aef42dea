package io.parley.gateway.support;

import io.parley.storage.PostgresTestServers;

/**
 * A fresh schema for one test class, dropped afterwards, so parallel runs and other engineers'
 * data never collide. The server is {@link PostgresTestServers#shared()}: the local one
 * ({@code PARLEY_TEST_POSTGRES_URL}, default 127.0.0.1:5432/test) when it answers, else an
 * embedded PostgreSQL the test JVM starts — so these tests run everywhere, never skip.
 */
public final class TestPostgres implements AutoCloseable {
    private final PostgresTestServers.Server server;
    private final String schema;

    private TestPostgres(PostgresTestServers.Server server, String schema) {
        this.server = server;
        this.schema = schema;
    }

    public static TestPostgres createSchema() {
        PostgresTestServers.Server server = PostgresTestServers.shared();
        return new TestPostgres(server, PostgresTestServers.newSchema(server));
    }

    /** JDBC URL of the schema, for {@code storage_url}. */
    public String url() {
        return server.urlWithSchema(schema);
    }

    public String user() {
        return server.user();
    }

    public String password() {
        return server.password();
    }

    @Override
    public void close() {
        PostgresTestServers.dropSchema(server, schema);
    }
}
