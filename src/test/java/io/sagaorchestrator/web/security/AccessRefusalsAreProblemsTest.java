package io.sagaorchestrator.web.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

/**
 * The README promises problem+json for every error; 401 and 403 came with an empty body and no content type, on the
 * API and its bulk endpoints alike. The 401 keeps its WWW-Authenticate challenge.
 */
@QuarkusTest
class AccessRefusalsAreProblemsTest {

    private static final String BULK_BODY = "{\"operation\":\"retry\",\"reason\":\"test\",\"filter\":{\"status\":[\"ESCALATED\"]}}";

    @ParameterizedTest
    @CsvSource({"GET, /api/sagas", "POST, /api/bulk-operations"})
    void aRequestWithoutCredentialsIsAnsweredWithAProblemAndAChallenge(String method, String path) {
        // when a request comes without credentials
        // then it is refused with 401, its challenge, and a problem saying what to send
        send(given(), method, path).then().statusCode(401)
                .header("WWW-Authenticate", not(emptyOrNullString()))
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"))
                .body("status", equalTo(401))
                .body("detail", containsString("HTTP Basic"));
    }

    @ParameterizedTest
    @CsvSource({"GET, /api/sagas, 203.0.113.61", "POST, /api/bulk-operations, 203.0.113.62"})
    void aWrongPasswordIsAnsweredWithAProblemAndAChallenge(String method, String path, String clientAddress) {
        // given a name with a wrong password, from an address of its own so that no other test is throttled
        RequestSpecification wrong = given().auth().preemptive().basic("nobody-" + UUID.randomUUID(), "wrong")
                .header("X-Forwarded-For", clientAddress);

        // when it is sent, then it is refused with 401, its challenge, and a problem saying the credentials were refused
        send(wrong, method, path).then().statusCode(401)
                .header("WWW-Authenticate", containsStringIgnoringCase("basic"))
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/unauthenticated"))
                .body("title", equalTo("The credentials were not accepted"));
    }

    @ParameterizedTest
    @CsvSource({"client, GET, /api/sagas, saga-viewer", "viewer, POST, /api/bulk-operations, saga-operator"})
    void aMissingRoleIsAnsweredWithAProblemNamingTheRolesNeeded(String user, String method, String path, String role) {
        // when a signed-in user without the role asks
        // then it is refused with 403 and a problem naming the account and the role it lacks
        send(given().auth().preemptive().basic(user, user), method, path).then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("/problems/forbidden"))
                .body("status", equalTo(403))
                .body("detail", containsString("'" + user + "'"))
                .body("detail", containsString(role));
    }

    private static io.restassured.response.Response send(RequestSpecification request, String method, String path) {
        return "GET".equals(method) ? request.get(path) : request.contentType("application/json").body(BULK_BODY).post(path);
    }
}
