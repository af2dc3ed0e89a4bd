package io.sagaorchestrator.web.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console's sign-in and form protection at the HTTP level: what a browser cannot be made to do (send Basic
 * credentials to a form-protected page, post without a token), and that the API's sign-in is unchanged.
 */
@QuarkusTest
class ConsoleSignInTest {

    private static final Pattern TOKEN = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void withoutSigningInEveryConsolePageLeadsToTheSignInPage() {
        for (String path : new String[] {"/console", "/console/sagas", "/console/sagas/00000000-0000-0000-0000-000000000000"}) {
            given().redirects().follow(false).get(path).then().statusCode(302)
                    .header("Location", endsWith("/console/login"));
        }
        given().redirects().follow(false).formParam("reason", "r").formParam("confirm", "true")
                .post("/console/sagas/00000000-0000-0000-0000-000000000000/resolve")
                .then().statusCode(302).header("Location", endsWith("/console/login"));
        given().get("/console/login").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("action=\"/console/j_security_check\""));
        given().get("/console/assets/console.css").then().statusCode(200);
        given().get("/console/assets/console.js").then().statusCode(200);
    }

    @Test
    void theConsoleTakesOnlyItsFormSignInAndTheApiOnlyBasicOrBearer() {
        // Basic credentials do not open the console
        as("operator").redirects().follow(false).get("/console").then().statusCode(302)
                .header("Location", endsWith("/console/login"));
        // the console's sign-in cookie is only sent to /console, and even sent to the API it does not count there
        Response signedIn = signIn("operator", "operator");
        String cookie = signedIn.getHeader("Set-Cookie").toLowerCase(java.util.Locale.ROOT);
        assertTrue(cookie.contains("path=/console;"), cookie);
        assertTrue(cookie.contains("samesite=strict"), cookie);
        assertTrue(cookie.contains("httponly"), cookie);
        given().cookies(signedIn.getCookies()).get("/api/sagas").then().statusCode(401);
        given().cookies(signedIn.getCookies()).get("/console").then().statusCode(200).body(containsString("Sagas by status"));
    }

    @Test
    void behindATlsTerminatingProxyBothConsoleCookiesAreSecure() {
        // given a proxy that terminated TLS and says so (X-Forwarded-Proto; the test profile trusts local proxies)
        Response signedIn = given().header("X-Forwarded-Proto", "https").redirects().follow(false)
                .formParam("j_username", "viewer").formParam("j_password", "viewer").post("/console/j_security_check");
        signedIn.then().statusCode(302);
        Response page = given().header("X-Forwarded-Proto", "https").cookies(signedIn.getCookies()).get("/console");
        page.then().statusCode(200);

        // then the browser sends neither the sign-in cookie nor the form cookie over plain HTTP
        assertTrue(signedIn.getDetailedCookie("quarkus-credential").isSecured(), signedIn.getHeader("Set-Cookie"));
        assertTrue(page.getDetailedCookie(ConsoleCsrf.COOKIE).isSecured(), page.getHeader("Set-Cookie"));
    }

    @Test
    void overPlainHttpTheConsoleCookiesStillWork() {
        // given no proxy (dev mode on a laptop): the cookies are not Secure, or the browser would drop them
        Response signedIn = signIn("viewer", "viewer");
        Response page = given().cookies(signedIn.getCookies()).get("/console");
        page.then().statusCode(200);
        assertFalse(signedIn.getDetailedCookie("quarkus-credential").isSecured());
        assertFalse(page.getDetailedCookie(ConsoleCsrf.COOKIE).isSecured());
    }

    @Test
    void aWrongPasswordLeadsBackToTheSignInPageWithAMessage() {
        Response failed = given().redirects().follow(false).formParam("j_username", "operator").formParam("j_password", "nope")
                .post("/console/j_security_check");
        failed.then().statusCode(302).header("Location", endsWith("/console/login?error=true"));
        assertEquals(0, failed.getCookies().getOrDefault("quarkus-credential", "").length());
        given().get("/console/login?error=true").then().body(containsString("The name or password is wrong"));
    }

    @Test
    void aClientMayNotUseTheConsole() {
        Response signedIn = signIn("client", "client");
        given().cookies(signedIn.getCookies()).get("/console").then().statusCode(403)
                .contentType(containsString("text/html"))
                .body(containsString("needs the role saga-viewer or saga-operator"));
        given().cookies(signedIn.getCookies()).get("/console/sagas").then().statusCode(403);
    }

    @Test
    void aPostWithoutTheTokenOfThisBrowsersFormIsRefusedAndChangesNothing() {
        String sagaId = ConsoleSagas.escalated("Forged", uniquePhone());
        Map<String, String> cookies = new HashMap<>(signIn("operator", "operator").getCookies());
        Response page = given().cookies(cookies).get("/console/sagas/" + sagaId);
        page.then().statusCode(200);
        cookies.putAll(page.getCookies());
        String token = token(page.asString());

        // no token, a made-up token, and the right token with another browser's cookie: all refused
        resolve(sagaId, cookies, null).then().statusCode(403).body(containsString("nothing was changed"));
        resolve(sagaId, cookies, "made-up").then().statusCode(403);
        Map<String, String> otherBrowser = new HashMap<>(cookies);
        otherBrowser.remove(ConsoleCsrf.COOKIE);
        resolve(sagaId, otherBrowser, token).then().statusCode(403);
        saga(sagaId).then().body("status", equalTo("ESCALATED"));
        assertEquals(0, count("select count(*) from saga_audit where saga_id = ?::uuid", sagaId));

        // the page's own token goes through
        resolve(sagaId, cookies, token).then().statusCode(303).header("Location", containsString("/console/sagas/" + sagaId + "?audit="));
        saga(sagaId).then().body("status", equalTo("RESOLVED")).body("operations[0].actor", equalTo("operator"));
    }

    @Test
    void aCompletedSagaIsCompensatedOnlyWithForceAndTheRefusalKeepsTheReason() {
        String sagaId = ConsoleSagas.completed("Forced", uniquePhone());
        Map<String, String> cookies = new HashMap<>(signIn("operator", "operator").getCookies());
        Response page = given().cookies(cookies).get("/console/sagas/" + sagaId);
        cookies.putAll(page.getCookies());
        page.then().body(containsString("Compensate a completed saga")).body(containsString("name=\"force\""))
                .body(not(containsString("action-resolve")));
        String token = token(page.asString());

        form(cookies, token).formParam("reason", "customer withdrew consent").formParam("confirm", "true")
                .post("/console/sagas/" + sagaId + "/compensate")
                .then().statusCode(409)
                .body(containsString("compensate refused"))
                .body(containsString("force"))
                .body(containsString(">customer withdrew consent</textarea>"));
        form(cookies, token).formParam("reason", "  ").formParam("confirm", "true").formParam("force", "true")
                .post("/console/sagas/" + sagaId + "/compensate")
                .then().statusCode(400).body(containsString("The reason is required"));
        form(cookies, token).formParam("reason", "customer withdrew consent").formParam("force", "true")
                .post("/console/sagas/" + sagaId + "/compensate")
                .then().statusCode(400).body(containsString("Tick the box to confirm"));
        saga(sagaId).then().body("status", equalTo("COMPLETED"));

        form(cookies, token).formParam("reason", "customer withdrew consent").formParam("confirm", "true")
                .formParam("force", "true").post("/console/sagas/" + sagaId + "/compensate")
                .then().statusCode(303);
        saga(sagaId).then().body("operations[0].operation", equalTo("compensate"))
                .body("operations[0].statusBefore", equalTo("COMPLETED"));
        // and the compensation ends here, not during a later test that has reset TT
        awaitStatus(sagaId, "COMPENSATED");
    }

    static Response signIn(String user, String password) {
        Response r = given().redirects().follow(false).formParam("j_username", user).formParam("j_password", password)
                .post("/console/j_security_check");
        r.then().statusCode(302).header("Location", endsWith("/console"));
        return r;
    }

    private static Response resolve(String sagaId, Map<String, String> cookies, String token) {
        return form(cookies, token).formParam("reason", "checked in TT: nothing left to delete").formParam("confirm", "true")
                .post("/console/sagas/" + sagaId + "/resolve");
    }

    private static RequestSpecification form(Map<String, String> cookies, String token) {
        RequestSpecification r = given().redirects().follow(false).cookies(cookies);
        return token == null ? r : r.formParam("csrf", token);
    }

    private static String token(String html) {
        Matcher m = TOKEN.matcher(html);
        assertTrue(m.find(), "the page has a form with a token");
        return m.group(1);
    }
}
