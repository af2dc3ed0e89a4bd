package io.sagaorchestrator.examples.localdefaults;

import java.util.Map;

import org.jboss.logging.Logger;

/**
 * The service's embedded PostgreSQL: one server per JVM and data directory, whose data survives
 * restarts. Started on first use and stopped when the JVM exits.
 */
final class EmbeddedDatabase {

    // Quarkus dev mode loads the application's classes afresh on every reload, so a static field here would be
    // forgotten while the server it describes keeps running. System properties live as long as the JVM.
    private static final String STARTED_URL_PREFIX = EmbeddedDatabase.class.getName() + ".started-url:";
    private static final String STARTED_PASSWORD_PREFIX = EmbeddedDatabase.class.getName() + ".started-password:";

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    private EmbeddedDatabase() {
    }

    /** Starts the server unless this JVM already did, and returns the datasource settings that reach it. */
    static Map<String, String> connectionProperties(LocalDefaults.EmbeddedDatabaseSettings settings) {
        String urlKey = STARTED_URL_PREFIX + settings.dataDir();
        String passwordKey = STARTED_PASSWORD_PREFIX + settings.dataDir();
        if (System.getProperty(urlKey) == null) {
            LocalPostgres server = LocalPostgres.start(settings.dataDir(), settings.port(), LocalPostgres.Data.PERSISTENT);
            System.setProperty(passwordKey, server.password());
            System.setProperty(urlKey, server.jdbcUrl());
            LOG.infof("No %s configured: embedded PostgreSQL at %s keeps its data in %s", LocalDefaults.DATASOURCE_URL,
                    server.jdbcUrl(), settings.dataDir());
        }
        return Map.of(LocalDefaults.DATASOURCE_URL, System.getProperty(urlKey),
                LocalDefaults.DATASOURCE_USERNAME, LocalPostgres.USER,
                LocalDefaults.DATASOURCE_PASSWORD, System.getProperty(passwordKey));
    }
}
