package io.sagaorchestrator.web.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;

/** The saga list's filter form says what is wrong with a value it cannot use, on the page, never as a 500. */
@QuarkusTest
class ConsoleListFilterTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "createdFrom=%2B1000000000-01-01T00:00     | Created from",
            "createdTo=%2B300000-01-01T00:00:00Z       | Created before",
            "stuck=9223372036854775807                 | Stuck for",
            "error=%00                                 | Error text",
            "businessKey=%00                           | Business key"})
    void anUnusableFilterValueIsShownOnTheListPageWith400(String query, String field) {
        // given a signed-in viewer
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");

        // when the list is asked for with a value the service cannot use, then the page says which field is wrong
        given().cookies(signedIn.getCookies()).urlEncodingEnabled(false).get("/console/sagas?" + query)
                .then().statusCode(400).contentType(containsString("text/html")).body(matchesPattern("(?s).*id=\"problem\">[^<]*" + field + ".*"));
    }
}
