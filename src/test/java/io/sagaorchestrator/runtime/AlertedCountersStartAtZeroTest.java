package io.sagaorchestrator.runtime;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SagaEscalated alert is {@code increase(saga_escalated_total[10m]) > 0}: a series that appears only with its first
 * increment has no earlier sample to increase from, so the first escalation after a start would never fire it. The
 * counters alerts and panels read exist at 0 for every loaded definition from the start.
 */
@QuarkusTest
class AlertedCountersStartAtZeroTest {

    @Inject
    DefinitionRegistry definitions;

    @Test
    void everyLoadedDefinitionHasItsEscalationAndDeadlineCountersBeforeAnySagaOfItRan() {
        // given the loaded definitions, and among them those of which no saga ever ran in this test run
        List<String> loaded = definitions.all().stream().map(SagaDefinition::name).toList();
        List<String> neverRun = loaded.stream().filter(d -> count("select count(*) from saga where definition_name = ?", d) == 0).toList();
        assertFalse(neverRun.isEmpty(), "some test definition has no saga yet: " + loaded);

        // when Prometheus scrapes the service
        String metrics = as("viewer").get("/q/metrics").then().statusCode(200).extract().asString();

        // then every definition has both series, and those no saga of which ran stand at 0
        for (String counter : List.of("saga_escalated_total", "saga_deadline_passed_total")) {
            for (String definition : loaded) {
                Matcher sample = Pattern.compile("(?m)^" + counter + "\\{definition=\"" + Pattern.quote(definition) + "\"} (\\S+)$")
                        .matcher(metrics);
                assertTrue(sample.find(), counter + " has no series for " + definition + " before its first increment");
                if (neverRun.contains(definition)) {
                    assertEquals(0.0, Double.parseDouble(sample.group(1)), counter + " of " + definition);
                }
            }
        }
    }
}
