package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * On H2, the client message ids move from an index on {@code messages} to a table of their own
 * holding only the messages that have one. H2 has no partial indexes, so the index of
 * {@link V3_1__client_message_id_index} took an entry for every message, with or without an id: a
 * third B-tree that each append updated, which made an append on the embedded store cost about
 * half as much again. PostgreSQL keeps its partial index; nothing changes there.
 *
 * <p>Copies the existing ids in the migration's transaction, which blocks writes to
 * {@code messages} while it runs: on a large table, upgrade in a quiet moment.
 */
public class V5_1__h2_client_message_ids extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        if ("PostgreSQL".equalsIgnoreCase(context.getConnection().getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("CREATE TABLE message_client_ids ("
                    + " chat_id VARCHAR NOT NULL, sender_id VARCHAR NOT NULL, client_message_id VARCHAR(64) NOT NULL,"
                    + " message_id BIGINT NOT NULL,"
                    + " CONSTRAINT message_client_ids_pk PRIMARY KEY (chat_id, sender_id, client_message_id))");
            s.execute("INSERT INTO message_client_ids (chat_id, sender_id, client_message_id, message_id)"
                    + " SELECT chat_id, sender_id, client_message_id, id FROM messages WHERE client_message_id IS NOT NULL");
            s.execute("DROP INDEX messages_client_id_key");
        }
    }
}
