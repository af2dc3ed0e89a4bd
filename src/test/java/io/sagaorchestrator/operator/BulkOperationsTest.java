package io.sagaorchestrator.operator;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One operation over every saga a filter matches, run by the server, with each saga's outcome kept. */
@QuarkusTest
class BulkOperationsTest {

    @Inject
    DefinitionRegistry definitions;

    private UUID givenSaga(String status, String lastError) {
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        UUID id = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                + " step_index, version, last_error) values (?, 'user-sync', ?, ?, ?, 'bulk', '{}', 0, 3, ?)",
                id, d.version(), d.hash(), status, lastError);
        return id;
    }

    @Test
    void escalatedSagasOfAnIncidentAreResolvedTogetherAndTheOthersAreRefused() {
        // given three sagas escalated by one incident, and a completed saga that mentions it too
        String incident = "incident-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            givenSaga("ESCALATED", "tt-add-user: ttDeleteUser failed with HTTP 503 during " + incident);
        }
        UUID completed = givenSaga("COMPLETED", "earlier retry during " + incident);

        // when an operator resolves everything that mentions the incident
        String jobId = as("operator").contentType("application/json")
                .body("{\"operation\":\"resolve\",\"reason\":\"TT deleted the users by hand (INC-7)\",\"filter\":{\"error\":\"" + incident + "\"}}")
                .post("/api/bulk-operations")
                .then().statusCode(202).body("total", equalTo(4)).extract().path("id");

        // then the job ends with three applied and the completed saga refused, each saga's outcome kept
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(as("viewer").get("/api/bulk-operations/" + jobId).path("status")));
        as("viewer").get("/api/bulk-operations/" + jobId).then().statusCode(200)
                .body("applied", equalTo(3))
                .body("refused", equalTo(1))
                .body("pending", equalTo(0))
                .body("items", hasSize(4))
                .body("items.find { it.sagaId == '" + completed + "' }.outcome", equalTo("REFUSED"))
                .body("items.find { it.sagaId == '" + completed + "' }.detail", containsString("COMPLETED"));
        assertEquals(3, count("select count(*) from saga where status = 'RESOLVED' and last_error like ?", "%" + incident + "%"));
        assertEquals(3, count("select count(*) from saga_audit a join saga s on s.id = a.saga_id where a.operation = 'resolve'"
                + " and a.reason = 'TT deleted the users by hand (INC-7)' and s.last_error like ?", "%" + incident + "%"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"retrying\":false}",
            "{\"status\":[]}",
            "{\"definition\":\" \",\"error\":\"\",\"businessKey\":\"\"}",
            "{\"status\":[],\"retrying\":false,\"stuck\":\" \"}"})
    void aFilterWhoseCriteriaSelectNothingSpecificIsRefused(String filter) {
        // given the number of bulk jobs
        long before = count("select count(*) from bulk_operation");

        // when an operator submits a job whose criteria narrow nothing (false, empty, blank)
        as("operator").contentType("application/json")
                .body("{\"operation\":\"resolve\",\"reason\":\"INC-1\",\"filter\":" + filter + "}")
                .post("/api/bulk-operations")
                // then it is refused as an empty filter
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("filter is empty"));
        // and no job was created
        assertEquals(before, count("select count(*) from bulk_operation"));
    }

    @Test
    void aBulkOperationNeedsAFilterAReasonAndAnOperator() {
        String body = "{\"operation\":\"resolve\",\"reason\":\"x\",\"filter\":{}}";
        as("operator").contentType("application/json").body(body).post("/api/bulk-operations")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("filter is empty"));
        as("operator").contentType("application/json").body("{\"operation\":\"delete\",\"filter\":{\"status\":[\"ESCALATED\"]}}")
                .post("/api/bulk-operations").then().statusCode(400);
        as("operator").contentType("application/json")
                .body("{\"operation\":\"resolve\",\"reason\":\"x\\u0000\",\"filter\":{\"status\":[\"ESCALATED\"]}}")
                .post("/api/bulk-operations").then().statusCode(400).body("violations[0].field", equalTo("reason"));
        as("viewer").contentType("application/json").body(body).post("/api/bulk-operations").then().statusCode(403);
        as("viewer").get("/api/bulk-operations/" + UUID.randomUUID()).then().statusCode(404);
    }
}
