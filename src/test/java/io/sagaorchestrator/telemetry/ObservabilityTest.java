package io.sagaorchestrator.telemetry;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** What operations teams plug their tools into: readiness, Prometheus metrics, the OpenAPI document. */
@QuarkusTest
class ObservabilityTest {

    @Test
    void readinessIncludesTheDatabaseAndTheRecoveryLoop() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("saga-recovery-loop"))
                .body("checks.find { it.name == 'saga-recovery-loop' }.status", equalTo("UP"));
    }

    @Test
    void probesAnswerWithoutCredentials() {
        // given an orchestrator (Kubernetes, a load balancer) that has no account
        // when it probes liveness and readiness, then both answer
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void metricsAndTheOpenApiDocumentNeedAReader() {
        // given no credentials, or a client that may only start sagas
        // then neither sees the metrics nor the OpenAPI document; a viewer sees both
        for (String path : new String[] {"/q/metrics", "/q/openapi"}) {
            given().get(path).then().statusCode(401);
            as("client").get(path).then().statusCode(403);
            as("viewer").get(path).then().statusCode(200);
        }
    }

    @Test
    void sagasAndTheirAttemptsAreCountedAndTimed() {
        // given a completed saga
        String phone = uniquePhone();
        tt().register(addUser("metric" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        startUserSync("Metric", phone, 10).then().statusCode(200);

        // then Prometheus sees it
        as("viewer").get("/q/metrics").then().statusCode(200)
                .body(containsString("saga_started_total{definition=\"user-sync\"}"))
                .body(containsString("saga_ended_total{definition=\"user-sync\",status=\"COMPLETED\"}"))
                .body(containsString("saga_step_attempt_seconds_count{definition=\"user-sync\",direction=\"FORWARD\",outcome=\"SUCCEEDED\",step=\"tt-add-user\"}"))
                .body(containsString("saga_live{status=\"RUNNING\"}"))
                .body(containsString("saga_in_flight"));
    }

    @Test
    void requestsAreNotMeteredBesideTheSagasTheyStart() {
        // given a saga started through the API
        String phone = uniquePhone();
        tt().register(addUser("request" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        startUserSync("Request", phone, 10).then().statusCode(200);

        // then Prometheus sees the saga, and no HTTP-server meter that nothing reads
        as("viewer").get("/q/metrics").then().statusCode(200)
                .body(containsString("saga_started_total{definition=\"user-sync\"}"))
                .body(org.hamcrest.Matchers.not(containsString("http_server_")));
    }

    @Test
    void theOpenApiDocumentDescribesTheApiAndItsSecurity() {
        as("viewer").get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/sagas/user-sync"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/sagas/{id}/{operation}"))
                .body("components.securitySchemes.SecurityScheme.scheme", equalTo("basic"));
    }
}
