package io.sagaorchestrator.consistency;

import io.sagaorchestrator.examples.localdefaults.LocalPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one PostgreSQL of the consistency suite, started on first use and shared by every scenario
 * of the test JVM: an embedded one with fresh data under {@code target/consistency-pg/}, or the
 * database named by {@code SAGA_TEST_DB_URL} / {@code _USER} / {@code _PASSWORD} when set (as for
 * the API tests). Each scenario gets a schema of its own, dropped and created afresh, so scenarios
 * cannot see each other and no database-creation right is needed.
 */
final class SuiteDatabase {

    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(\\?.*)?");
    private static SuiteDatabase instance;

    final String host;
    final int port;
    final String database;
    final String user;
    final String password;

    private SuiteDatabase(String url, String user, String password) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host[:port]/database URL: " + url);
        }
        this.host = m.group(1);
        this.port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        this.database = m.group(3);
        this.user = user;
        this.password = password;
    }

    static synchronized SuiteDatabase get() {
        if (instance == null) {
            String url = System.getenv("SAGA_TEST_DB_URL");
            if (url == null || url.isBlank()) {
                Path data = Path.of("target", "consistency-pg", "pgdata").toAbsolutePath();
                LocalPostgres server = LocalPostgres.start(data, 0, LocalPostgres.Data.THROWAWAY);
                instance = new SuiteDatabase(server.jdbcUrl(), LocalPostgres.USER, server.password());
            } else {
                String user = System.getenv("SAGA_TEST_DB_USER");
                String password = System.getenv("SAGA_TEST_DB_PASSWORD");
                instance = new SuiteDatabase(url, user, password == null ? "" : password);
            }
        }
        return instance;
    }

    /** A schema of its own for one scenario, empty. */
    Schema freshSchema(String name) {
        try (Connection c = connect(null); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + name + " cascade");
            s.execute("create schema " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create schema " + name + " in " + database, e);
        }
        return new Schema(this, name);
    }

    Connection connect(String schema) throws SQLException {
        return DriverManager.getConnection(url(host, port, schema, "consistency-checks"), user, password);
    }

    String url(String host, int port, String schema, String applicationName) {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/').append(database)
                .append("?ApplicationName=").append(applicationName);
        if (schema != null) {
            url.append("&currentSchema=").append(schema);
        }
        return url.toString();
    }

    /** One scenario's schema: what the service is given, and connections for the checks. */
    record Schema(SuiteDatabase db, String name) {

        /** The application name the service's connections carry, so a test can cut exactly those. */
        String applicationName() {
            return "saga-service-" + name;
        }

        /** The service's JDBC URL, directly or through a proxy on {@code port}. */
        String serviceUrl(String host, int port) {
            return db.url(host, port, name, applicationName());
        }

        String serviceUrl() {
            return serviceUrl(db.host, db.port);
        }

        Connection connect() throws SQLException {
            return db.connect(name);
        }
    }
}
