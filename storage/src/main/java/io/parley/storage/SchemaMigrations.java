package io.parley.storage;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/**
 * Brings the schema up to date at start-up from {@code db/migration/V*__*.sql} on the classpath.
 *
 * <p>Why Flyway rather than a home-made runner: 13.12.0 resolves from Maven Central, supports H2
 * in {@code flyway-core} and PostgreSQL through {@code flyway-database-postgresql}, runs the same
 * migration files on both, and brings what a small runner would get wrong first: a lock so that
 * two nodes starting together migrate once, checksums that catch an edited applied migration, and
 * a history table operators already know ({@code flyway_schema_history}). It costs about 1 MB of
 * jars and no transitive dependencies. A shaded jar must merge {@code META-INF/services} (Flyway
 * finds its database support through them).
 */
final class SchemaMigrations {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrations.class);

    static final String LOCATION = "classpath:db/migration";

    private SchemaMigrations() {
    }

    static void apply(DataSource dataSource, String what) {
        try {
            MigrateResult result = Flyway.configure(SchemaMigrations.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(LOCATION)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            log.info("history schema of {} at version {} ({} migration(s) applied now)",
                    what, result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                    result.migrationsExecuted);
        } catch (FlywayException e) {
            throw new StoreException("schema migration of " + what + " failed: " + e.getMessage(), e);
        }
    }
}
