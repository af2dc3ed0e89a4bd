package io.sagaorchestrator.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.jboss.logging.Logger;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;

/**
 * The PostgreSQL the tests run against: the one named by {@code SAGA_TEST_DB_URL}, emptied first,
 * or else an embedded one on fresh data under {@code target/embedded-pg/}.
 */
record TestDatabase(String url, String user, String password) {

    static final String URL_VARIABLE = "SAGA_TEST_DB_URL";
    static final String USER_VARIABLE = "SAGA_TEST_DB_USER";
    static final String PASSWORD_VARIABLE = "SAGA_TEST_DB_PASSWORD";

    private static final Logger LOG = Logger.getLogger(TestDatabase.class);

    static TestDatabase prepare() {
        String url = System.getenv(URL_VARIABLE);
        return url == null || url.isBlank() ? embedded() : emptied(external(url));
    }

    private static TestDatabase embedded() {
        Path dataDir = Path.of("target", "embedded-pg", "pgdata").toAbsolutePath();
        LocalPostgres server = LocalPostgres.start(dataDir, 0, LocalPostgres.Data.THROWAWAY);
        return new TestDatabase(server.jdbcUrl(), LocalPostgres.USER, server.password());
    }

    private static TestDatabase external(String url) {
        String user = System.getenv(USER_VARIABLE);
        if (user == null || user.isBlank()) {
            throw new IllegalStateException(URL_VARIABLE + " is set, so " + USER_VARIABLE + " (and " + PASSWORD_VARIABLE
                    + ") must be too; .ci/pg15-test-db.sh prints all three");
        }
        String password = System.getenv(PASSWORD_VARIABLE);
        return new TestDatabase(url, user, password == null ? "" : password);
    }

    // The external database outlives test runs; every run starts from an empty schema, as with the embedded one.
    private static TestDatabase emptied(TestDatabase database) {
        try (Connection connection = DriverManager.getConnection(database.url(), database.user(), database.password());
             Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS public CASCADE");
            statement.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not empty schema public of " + database.url() + " (" + URL_VARIABLE + ")", e);
        }
        LOG.infof("Tests run on %s (%s): dropped and recreated its schema public", database.url(), URL_VARIABLE);
        return database;
    }
}
