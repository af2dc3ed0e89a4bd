package io.sagaorchestrator.web.security;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guessing passwords is cut short: after 3 failed sign-ins of a name, or 6 from an address, within the window
 * (the test profile's limits), sign-ins are refused with 429 and Retry-After. Each test signs in from its own
 * forwarded address (the test profile trusts local proxies) and with its own names, so no other test is throttled.
 */
@QuarkusTest
class SignInThrottlingTest {

    private static final String API = "/api/definitions";

    @Test
    void aNameThatFailedTooOftenIsRefusedWith429WhateverTheAddress() {
        // given a name that failed 3 times
        String name = madeUpName();
        for (int i = 0; i < 3; i++) {
            basic(name, "guess-" + i, "203.0.113.1").then().statusCode(401);
        }

        // when it tries again, even from another address, then it is refused unchecked, saying when to come back
        Response refused = basic(name, "guess-3", "203.0.113.2");
        refused.then().statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("/problems/too-many-sign-in-failures"))
                .body("status", equalTo(429))
                .body("detail", containsString("Try again in"));
        long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
        assertTrue(retryAfter > 0 && retryAfter <= 300, "Retry-After " + retryAfter + " is within the 5 minute window");
    }

    @Test
    void anAddressThatFailedTooOftenIsRefusedWhateverTheName() {
        // given an address that tried 6 names, each once
        for (int i = 0; i < 6; i++) {
            basic(madeUpName(), "guess", "203.0.113.3").then().statusCode(401);
        }

        // when it tries yet another name, even a real user's right password, then it is refused
        basic("sign-in-tester", "sign-in-tester", "203.0.113.3").then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        // and other addresses are not
        basic("sign-in-tester", "sign-in-tester", "203.0.113.4").then().statusCode(200);
    }

    @Test
    void aSuccessfulSignInClearsTheNamesFailures() {
        // given a user who mistyped twice, then signed in
        basic("sign-in-tester", "typo-1", "203.0.113.5").then().statusCode(401);
        basic("sign-in-tester", "typo-2", "203.0.113.5").then().statusCode(401);
        basic("sign-in-tester", "sign-in-tester", "203.0.113.5").then().statusCode(200);

        // when the user mistypes twice more, then the password is still checked (4 failures, but 2 since the success)
        basic("sign-in-tester", "typo-3", "203.0.113.5").then().statusCode(401);
        basic("sign-in-tester", "typo-4", "203.0.113.5").then().statusCode(401);
        basic("sign-in-tester", "sign-in-tester", "203.0.113.5").then().statusCode(200);
    }

    @Test
    void aRememberedSignInLetsNoWrongPasswordInAndIsThrottledLikeAnyOther() {
        // given a user whose password just verified (so it is remembered)
        basic("remembered-tester", "remembered-tester", "203.0.113.7").then().statusCode(200);

        // when wrong passwords come for that name, then each is checked and refused, and counted
        for (int i = 0; i < 3; i++) {
            basic("remembered-tester", "guess-" + i, "203.0.113.7").then().statusCode(401);
        }

        // then even the remembered password is refused until the window ends
        basic("remembered-tester", "remembered-tester", "203.0.113.8").then().statusCode(429);
    }

    @Test
    void theConsoleSignInFormIsThrottledToo() {
        // given a name that failed 3 times on the console's sign-in form
        String name = madeUpName();
        for (int i = 0; i < 3; i++) {
            form(name, "guess-" + i, "203.0.113.6").then().statusCode(302).header("Location", endsWith("/console/login?error=true"));
        }

        // when it tries again, then it gets a page saying when to try again
        Response refused = form(name, "guess-3", "203.0.113.6");
        refused.then().statusCode(429).contentType(containsString("text/html"))
                .body(containsString("Too many failed sign-ins"));
        assertTrue(Long.parseLong(refused.getHeader("Retry-After")) > 0);
    }

    private static String madeUpName() {
        return "guesser-" + UUID.randomUUID();
    }

    private static Response basic(String user, String password, String clientAddress) {
        return given().auth().preemptive().basic(user, password).header("X-Forwarded-For", clientAddress).get(API);
    }

    private static Response form(String user, String password, String clientAddress) {
        return given().redirects().follow(false).header("X-Forwarded-For", clientAddress)
                .formParam("j_username", user).formParam("j_password", password).post("/console/j_security_check");
    }
}
