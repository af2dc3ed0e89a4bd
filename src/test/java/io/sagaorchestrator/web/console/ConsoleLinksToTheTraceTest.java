package io.sagaorchestrator.web.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;

/** A saga's page links its trace through saga.tracing.trace-url (https://jaeger.test/trace/{traceId} in the tests). */
@QuarkusTest
class ConsoleLinksToTheTraceTest {

    @Test
    void aSagasPageLinksToItsTrace() {
        // given a completed saga and a viewer signed in to the console
        String sagaId = ConsoleSagas.completed("Tracelink", uniquePhone());
        String traceId = saga(sagaId).then().extract().path("traceId");
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");

        // when the viewer opens the saga's page
        Response page = given().cookies(signedIn.getCookies()).get("/console/sagas/" + sagaId);

        // then it links to the saga's trace in the configured tracing UI
        page.then().statusCode(200)
                .body(containsString("href=\"https://jaeger.test/trace/" + traceId + "\""));
    }
}
