package io.sagaorchestrator.web.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.matchesPattern;

/** What the console and the operations say about a saga a person named wrongly, or whose status does not allow a move. */
@QuarkusTest
class ConsoleSpeaksOfStatusesAndIdsTest {

    @Test
    void aMistypedSagaAddressShowsTheConsolesProblemPage() {
        // given a signed-in viewer
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");

        // when the browser opens a saga address whose id is not a UUID
        // then the console's own page says so, not the API's JSON
        given().cookies(signedIn.getCookies()).accept("text/html").get("/console/sagas/not-a-uuid")
                .then().statusCode(404).contentType(containsString("text/html"))
                .body(matchesPattern("(?s).*id=\"problem\">[^<]*not-a-uuid[^<]*is not a UUID.*"));
    }

    @Test
    void aRefusalNamesAnEscalatedSagaWithItsArticle() {
        // given an escalated saga
        String sagaId = ConsoleSagas.escalated("Article", uniquePhone());

        // when an operator pauses it, then the refusal reads "An ESCALATED saga"
        operate("operator", sagaId, "pause", "{\"reason\":\"grammar\"}").then().statusCode(409)
                .body("detail", startsWith("An ESCALATED saga cannot be paused"));
    }

    @Test
    void aSagaThatTakesNoOperationSaysSoWithItsStatusAndArticle() {
        // given a compensated saga, which no operation applies to
        String sagaId = ConsoleSagas.compensated("NoOps", uniquePhone());

        // when an operator opens it, then the page says so in a sentence
        Response signedIn = ConsoleSignInTest.signIn("operator", "operator");
        given().cookies(signedIn.getCookies()).get("/console/sagas/" + sagaId).then().statusCode(200)
                .body(containsString("<p id=\"no-actions\">A COMPENSATED saga takes no manual operation.</p>"));
    }
}
