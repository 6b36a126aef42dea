package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * One message per (chat, sender, client message id): finds the message a repeated send stored
 * first, and refuses a second one written concurrently by another node. On PostgreSQL the index
 * is partial, so the sends without a client id (most of them) add no entry to it; H2 has no
 * partial indexes: there {@link V5_1__h2_client_message_ids} replaces this index with a table.
 *
 * <p>Built in the migration's transaction, which blocks writes to {@code messages} while it
 * runs: on a large table, upgrade in a quiet moment.
 */
public class V3_1__client_message_id_index extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        boolean postgres = "PostgreSQL".equalsIgnoreCase(context.getConnection().getMetaData().getDatabaseProductName());
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("CREATE UNIQUE INDEX messages_client_id_key ON messages (chat_id, sender_id, client_message_id)"
                    + (postgres ? " WHERE client_message_id IS NOT NULL" : ""));
        }
    }
}
