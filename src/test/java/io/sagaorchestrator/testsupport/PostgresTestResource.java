package io.sagaorchestrator.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives {@code @QuarkusTest}s a PostgreSQL, one per test JVM, shared by all test profiles.
 *
 * <p>By default an embedded PostgreSQL (nothing to install) on a random port, with fresh data under
 * {@code target/embedded-pg/}. With the environment variable {@code SAGA_TEST_DB_URL} set (and
 * {@code SAGA_TEST_DB_USER}, {@code SAGA_TEST_DB_PASSWORD}) the tests use that database instead,
 * e.g. the machine's own PostgreSQL 15 as set up by {@code .ci/pg15-test-db.sh}.
 *
 * <p><b>WARNING: in that mode the first start in every test JVM runs {@code DROP SCHEMA public
 * CASCADE} on the database {@code SAGA_TEST_DB_URL} names, deleting every table in it, so that
 * each run starts empty. Never point it at a database you care about; use a dedicated one such as
 * {@code saga_test}.</b>
 *
 * <p>Tests can open plain JDBC connections for their assertions with {@link #jdbcUrl()},
 * {@link #user()} and {@link #password()}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    // Quarkus loads test classes afresh for every test profile, and calls start() for each: a static field would be
    // forgotten and the database started again. System properties live as long as the JVM.
    private static final String URL = PostgresTestResource.class.getName() + ".url";
    private static final String USER = PostgresTestResource.class.getName() + ".user";
    private static final String PASSWORD = PostgresTestResource.class.getName() + ".password";

    @Override
    public Map<String, String> start() {
        if (System.getProperty(URL) == null) {
            TestDatabase database = TestDatabase.prepare();
            System.setProperty(USER, database.user());
            System.setProperty(PASSWORD, database.password());
            System.setProperty(URL, database.url());
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl(),
                "quarkus.datasource.username", user(),
                "quarkus.datasource.password", password());
    }

    @Override
    public void stop() {
        // The database outlives each profile's application: the next profile reuses it, and the embedded server
        // stops when the JVM exits.
    }

    public static String jdbcUrl() {
        return started(URL);
    }

    public static String user() {
        return started(USER);
    }

    public static String password() {
        return started(PASSWORD);
    }

    private static String started(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("No test database yet: annotate the test with @QuarkusTestResource(PostgresTestResource.class)");
        }
        return value;
    }
}
