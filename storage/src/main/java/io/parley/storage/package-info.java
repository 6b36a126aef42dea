/**
 * Chat history: durable storage behind a non-blocking service.
 *
 * <p>Where things are:
 * <ul>
 *   <li>{@link io.parley.storage.HistoryStore} — the blocking contract (tested by
 *       {@code HistoryStoreContract} in the test jar).</li>
 *   <li>{@link io.parley.storage.JdbcHistoryStore} — the JDBC implementation for H2 (embedded
 *       default) and PostgreSQL; its statements live in {@code ChatSql}, {@code MessageSql} and
 *       {@code ReadStateSql}, row mapping in {@code Rows}, transactions and error translation in
 *       {@code Transactions}, pools in {@code DataSources}, schema in {@code SchemaMigrations}
 *       and {@code db/migration/V*.sql}.</li>
 *   <li>{@link io.parley.storage.HistoryService} — what the gateway calls from its event loops:
 *       the group-commit writer ({@code GroupCommitWriter}) and the bounded read pool
 *       ({@code StoreCallExecutor}), configured by {@link io.parley.storage.HistoryOptions},
 *       measured by {@code HistoryMetrics}.</li>
 * </ul>
 */
package io.parley.storage;
