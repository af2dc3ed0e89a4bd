package io.sagaorchestrator.docs;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/reference/api.md lists exactly the endpoints of the application's OpenAPI document, so that the reference
 * cannot drift from the API: an endpoint added without its line, or a line left for an endpoint removed, fails here.
 */
@QuarkusTest
class ApiReferenceMatchesOpenApiTest {

    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");
    /** A row of the reference's endpoint index: its first cell is `METHOD /path`. */
    private static final Pattern INDEX_ROW = Pattern.compile("(?m)^\\| `(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^`\\s]*)` \\|");

    @Test
    void theApiReferenceListsEveryEndpointOfTheOpenApiDocumentAndNoOther() throws Exception {
        // given the endpoints the running application describes in its OpenAPI document
        Map<String, Map<String, Object>> paths = as("viewer").accept("application/json").get("/q/openapi")
                .then().statusCode(200).extract().jsonPath().getMap("paths");
        Set<String> served = new TreeSet<>();
        paths.forEach((path, operations) -> operations.keySet().stream().filter(METHODS::contains)
                .forEach(method -> served.add(method.toUpperCase(Locale.ROOT) + " " + path)));
        assertTrue(served.contains("POST /api/sagas/{definition}"), "the OpenAPI document was not read: " + served);

        // when the reference's endpoint index is read
        Set<String> documented = documentedEndpoints(Files.readString(Path.of("docs/reference/api.md")));

        // then both name the same endpoints
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        assertEquals(Set.of(), undocumented, "endpoints of the OpenAPI document missing from docs/reference/api.md");
        assertEquals(Set.of(), notServed, "endpoints in docs/reference/api.md that the OpenAPI document does not have");
    }

    static Set<String> documentedEndpoints(String reference) {
        Set<String> endpoints = new TreeSet<>();
        Matcher row = INDEX_ROW.matcher(reference);
        while (row.find()) {
            endpoints.add(row.group(1) + " " + row.group(2));
        }
        return endpoints;
    }
}
