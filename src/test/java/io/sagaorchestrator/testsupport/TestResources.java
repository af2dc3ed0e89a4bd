package io.sagaorchestrator.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * The resources every {@code @QuarkusTest} shares: PostgreSQL, the TT double and the identity provider double. Declared once here
 * so all test classes run against one application start and one database.
 */
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(TtWireMock.class)
@QuarkusTestResource(OidcDouble.class)
public final class TestResources {
    private TestResources() {
    }
}
