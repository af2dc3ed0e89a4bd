package io.sagaorchestrator.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenTheLocalSaveWillFail;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard and the Prometheus alert rules in docker/ are files users apply as they are: a query naming a
 * metric the service does not export shows an empty panel, and such an alert never fires. Both are checked against
 * what {@code /q/metrics} really exports once sagas have completed, been compensated and escalated.
 */
@QuarkusTest
class DashboardAndAlertsTest {

    private static final Path DASHBOARD = Path.of("docker/grafana/saga-dashboard.json");
    private static final Path ALERTS = Path.of("docker/prometheus/saga-alerts.yaml");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,");

    @Test
    void everyDashboardQueryNamesOnlyMetricsTheServiceExports() throws IOException {
        // given a service that has completed, compensated and escalated sagas
        Set<String> exported = exportedMetricsAfterSagasOfEveryOutcome();

        // when the dashboard's panel queries and variables are read
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        assertTrue(queries.size() >= 8, "the dashboard has a query per panel: " + queries);
        Set<String> named = new TreeSet<>();
        for (String query : queries) {
            Set<String> names = PromQl.metricNames(query);
            assertFalse(names.isEmpty(), "no metric found in " + query);
            named.addAll(names);
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (m.find()) {
                named.add(m.group(1));
            }
        }

        // then each one is exported
        named.forEach(name -> assertTrue(exported.contains(name), "the dashboard reads " + name + ", which the service does not export"));
        // and every saga metric the issue asks for has a panel
        for (String wanted : List.of("saga_started_total", "saga_ended_total", "saga_escalated_total", "saga_stuck",
                "saga_retrying", "saga_step_attempt_seconds_bucket")) {
            assertTrue(named.contains(wanted), "no panel shows " + wanted);
        }
    }

    @Test
    void theAlertRulesParseAndNameOnlyMetricsTheServiceExports() throws IOException {
        // given a service that has completed, compensated and escalated sagas
        Set<String> exported = exportedMetricsAfterSagasOfEveryOutcome();

        // when the rule file is read as Prometheus reads it: groups of rules
        JsonNode rules = new YAMLMapper().readTree(ALERTS.toFile());
        JsonNode groups = rules.path("groups");
        assertTrue(groups.isArray() && !groups.isEmpty(), "a rule file has groups");
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : groups) {
            assertTrue(group.path("name").isTextual(), "every group has a name");
            assertTrue(group.path("rules").isArray() && !group.path("rules").isEmpty(), group.path("name") + " has rules");
            for (JsonNode rule : group.path("rules")) {
                // then every rule is an alert with an expression, a duration, a severity and a text for whoever is paged
                String alert = rule.path("alert").asText();
                assertFalse(alert.isBlank(), "a rule without an alert name: " + rule);
                assertTrue(rule.path("for").asText().matches("\\d+[smh]"), alert + " has a duration");
                assertTrue(rule.path("labels").path("severity").isTextual(), alert + " has a severity");
                assertTrue(rule.path("annotations").path("summary").isTextual(), alert + " has a summary");
                assertTrue(rule.path("annotations").path("description").isTextual(), alert + " has a description");
                Set<String> names = PromQl.metricNames(rule.path("expr").asText());
                assertFalse(names.isEmpty(), alert + " reads no metric");
                // and reads only exported metrics
                names.forEach(name -> assertTrue(exported.contains(name), alert + " reads " + name + ", which the service does not export"));
                alerts.add(alert);
            }
        }
        // and the four situations of the issue each have an alert
        assertTrue(alerts.containsAll(Set.of("SagaEscalated", "SagasStuck", "SagaRecoveryLoopStopped", "ThirdPartyCircuitBreakerOpen")),
                "alerts: " + alerts);
    }

    /** Both tests read the same names: an escalation costs its twelve compensation attempts once. */
    private static Set<String> exported;

    /** Sample names (with their _bucket, _count, _sum suffixes) in /q/metrics, after a saga of each ending. */
    private static synchronized Set<String> exportedMetricsAfterSagasOfEveryOutcome() {
        if (exported != null) {
            return exported;
        }
        String completed = uniquePhone();
        tt().register(addUser("dash" + completed).willReturn(ttAnswer("OK", "tt-" + completed)));
        startUserSync("Dash", completed, 10).then().statusCode(200);

        String compensated = uniquePhone();
        tt().register(addUser("dash" + compensated).willReturn(ttAnswer("OK", "tt-" + compensated)));
        tt().register(deleteUser("tt-" + compensated).willReturn(ttAnswer("OK", null)));
        givenTheLocalSaveWillFail(compensated);
        startUserSync("Dash", compensated, 10).then().statusCode(409).body("status", equalTo("COMPENSATED"));

        String escalated = uniquePhone();
        tt().register(addUser("dash" + escalated).willReturn(ttAnswer("OK", "tt-" + escalated)));
        tt().register(deleteUser("tt-" + escalated).willReturn(ttError(503)));
        givenTheLocalSaveWillFail(escalated);
        startUserSync("Dash", escalated, 30).then().statusCode(409).body("status", equalTo("ESCALATED"));

        String metrics = as("viewer").get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> names = new TreeSet<>();
        metrics.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        assertEquals(true, names.contains("saga_started_total"), "the metrics were read");
        exported = names;
        return names;
    }
}
