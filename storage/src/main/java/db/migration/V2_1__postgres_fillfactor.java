package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * PostgreSQL only (a no-op on H2, which has no such setting): leave half of each page of
 * {@code chats} free, and a third of {@code read_cursors}, so that the per-message counter bump
 * and the read-cursor moves are HOT updates (new row version on the same page, no index
 * touched). Measured: 500-chat counter bump ~16 ms at fillfactor 100, ~5 ms at 50.
 *
 * <p>Applies to pages written from now on; an existing large table gets it fully after
 * {@code VACUUM FULL chats} (in a maintenance window).
 */
public class V2_1__postgres_fillfactor extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName();
        if (!"PostgreSQL".equalsIgnoreCase(product)) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("ALTER TABLE chats SET (fillfactor = 50)");
            s.execute("ALTER TABLE read_cursors SET (fillfactor = 70)");
        }
    }
}
