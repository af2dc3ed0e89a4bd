package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Answers that said only "HTTP 404 Not Found", "Bad Request" or "did not match the value in @Consumes" now name the
 * parameter or header at fault and say what it must be.
 */
@QuarkusTest
class ErrorsNameWhatIsWrongTest {

    @ParameterizedTest
    @CsvSource({"viewer, /api/sagas/not-a-uuid", "viewer, /api/sagas/not-a-uuid/compensation-plan",
            "operator, /api/bulk-operations/not-a-uuid"})
    void anIdInThePathThatIsNotAUuidIsNamedAsSuch(String user, String path) {
        // when a saga (a bulk job) is asked for by something that is not a UUID
        // then the answer says that the id in the path is not one, and what one looks like
        as(user).get(path).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("/problems/not-an-id"))
                .body("detail", containsString("'not-a-uuid'"))
                .body("detail", containsString("is not a UUID"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "status=BOGUS          | status      | is not one of",
            "createdFrom=yesterday | createdFrom | is not a UTC time",
            "stuck=soon            | stuck       | is not a duration",
            "retrying=maybe        | retrying    | is neither true nor false",
            "limit=lots            | limit       | is not a whole number"})
    void aListFilterTheServiceCannotUseIsInvalidInputNamingIt(String query, String parameter, String says) {
        // when the list is asked for with a filter value the service cannot use
        // then the answer is invalid input whose violation names the parameter and says what it must be
        as("viewer").get("/api/sagas?" + query).then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("/problems/invalid-input"))
                .body("violations[0].field", equalTo(parameter))
                .body("violations[0].message", containsString(says))
                .body("detail", containsString(parameter));
    }

    @ParameterizedTest
    @CsvSource({"client, /api/sagas/user-sync, application/x-www-form-urlencoded", "operator, /api/bulk-operations, text/plain"})
    void aBodyOfAnotherTypeIsToldWhichHeaderToSend(String user, String path, String type) {
        // when a JSON body is posted as another type (curl -d without -H sends it as a form)
        // then the answer names the header, the value it must have, and what was sent
        as(user).contentType(type).body("{}").post(path).then().statusCode(415).contentType("application/problem+json")
                .body("type", equalTo("/problems/unsupported-media-type"))
                .body("header", equalTo("Content-Type"))
                .body("detail", startsWith("The Content-Type header must be application/json; this request sent '" + type));
    }
}
