package io.sagaorchestrator.web.console;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.testsupport.OidcDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.OidcDouble.CONSOLE_USER;
import static io.sagaorchestrator.testsupport.OidcDouble.CONSOLE_USER_SUBJECT;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * People sign in to the console at the identity provider ({@link OidcDouble}) with the authorization code flow and PKCE,
 * beside the console's own form: in a real (headless) Chromium, from the sign-in page to the provider and back, an
 * operation whose audit entry names them, and signing out at both ends.
 */
@QuarkusTest
class ConsoleSignInAtTheIdentityProviderTest {

    private static final String SESSION_COOKIE = "q_session_console";

    @TestHTTPResource("/")
    URL root;

    private static HeadlessChromium browser;

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void anOperatorSignsInAtTheProviderResolvesASagaAndSignsOut() {
        // given an escalated saga, and a person not signed in
        resetTt();
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.escalated("Sso", phone);
        browser = HeadlessChromium.start();
        WebDriver driver = browser.driver;

        // when they open the console, they get its sign-in page, which offers the identity provider
        driver.get(root + "console/sagas/" + sagaId);
        browser.waiting().until(ExpectedConditions.urlContains("/console/login"));
        browser.find("#sign-in-sso").click();

        // then the provider's sign-in page asks them; signed in there, they are back in the console under their name
        browser.waiting().until(ExpectedConditions.urlContains(OidcDouble.AUTHORIZE));
        browser.find("#username").sendKeys(CONSOLE_USER);
        browser.find("#provider-sign-in").click();
        browser.waiting().until(ExpectedConditions.textToBe(org.openqa.selenium.By.id("signed-in-user"), CONSOLE_USER));
        assertTrue(driver.getCurrentUrl().startsWith(root + "console"), driver.getCurrentUrl());
        // the flow used PKCE: a S256 challenge to the provider, its verifier in the code exchange
        OidcDouble.client().verifyThat(getRequestedFor(urlPathEqualTo(OidcDouble.AUTHORIZE))
                .withQueryParam("code_challenge_method", com.github.tomakehurst.wiremock.client.WireMock.equalTo("S256"))
                .withQueryParam("code_challenge", com.github.tomakehurst.wiremock.client.WireMock.matching(".{43}")));
        OidcDouble.client().verifyThat(postRequestedFor(urlPathEqualTo(OidcDouble.TOKEN))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matching(".*code_verifier=[^&]{43,}.*")));
        // and the session cookie is the console's own, out of reach of scripts
        Cookie session = driver.manage().getCookieNamed(SESSION_COOKIE);
        assertNotNull(session, "the provider's sign-in left no session cookie");
        assertTrue(session.isHttpOnly());
        assertEquals("Lax", session.getSameSite());
        assertEquals("/console", session.getPath());

        // when they resolve the saga with a reason (a role from the provider's token: saga-operator)
        driver.get(root + "console/sagas/" + sagaId);
        String reason = "Checked in TT: removed by hand (INC-125)";
        browser.find("#reason-resolve").sendKeys(reason);
        browser.find("#confirm-resolve").click();
        browser.submit("#submit-resolve");

        // then it is resolved, and the audit entry names them and keeps their subject at the provider
        assertEquals("RESOLVED", browser.find("#saga-status").getText());
        assertTrue(browser.find("#audit").getText().contains(CONSOLE_USER), browser.find("#audit").getText());
        as("viewer").get("/api/audit?sagaId=" + sagaId).then().statusCode(200)
                .body("[0].operation", equalTo("resolve"))
                .body("[0].actor", equalTo(CONSOLE_USER))
                .body("[0].actorSubject", equalTo(CONSOLE_USER_SUBJECT));

        // when they sign out, the provider's session ends too and they are back at the sign-in page
        browser.find(".who button").click();
        browser.waiting().until(ExpectedConditions.urlContains("/console/login?signedOut=true"));
        OidcDouble.client().verifyThat(getRequestedFor(urlPathEqualTo(OidcDouble.LOGOUT)));
        assertNull(driver.manage().getCookieNamed(SESSION_COOKIE));
        // and the console is closed again
        driver.get(root + "console");
        browser.waiting().until(ExpectedConditions.urlContains("/console/login"));
    }

    @Test
    void behindTlsTheSessionCookieIsSecure() {
        // given a sign-in that reaches the service over HTTPS through the trusted proxy (X-Forwarded-Proto)
        Response start = given().redirects().follow(false).header("X-Forwarded-Proto", "https").get("/console/sso");
        assertEquals(302, start.statusCode());
        Map<String, String> authorize = query(start.header("Location"));
        Response provider = given().redirects().follow(false)
                .queryParam("username", CONSOLE_USER)
                .queryParam("state", authorize.get("state"))
                .queryParam("redirect_uri", authorize.get("redirect_uri"))
                .get(OidcDouble.issuer() + "/login");
        URI back = URI.create(provider.header("Location"));
        assertEquals("https", back.getScheme(), "the provider is told to send the browser back over HTTPS");

        // when the browser comes back with the code
        Response callback = given().redirects().follow(false).header("X-Forwarded-Proto", "https")
                .cookies(start.detailedCookies()).urlEncodingEnabled(false).get(back.getRawPath() + "?" + back.getRawQuery());

        // then the session cookie it gets is Secure, HttpOnly, SameSite=Lax, and only for the console
        String setCookie = callback.headers().getValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(SESSION_COOKIE + "=")).findFirst().orElseThrow(() -> new AssertionError(
                        "no session cookie: " + callback.statusCode() + " " + callback.headers()));
        String attributes = setCookie.toLowerCase(java.util.Locale.ROOT);
        assertTrue(attributes.contains("; secure") && attributes.contains("; httponly") && attributes.contains("; samesite=lax")
                && attributes.contains("; path=/console"), setCookie);
    }

    private static Map<String, String> query(String url) {
        return Arrays.stream(URI.create(url).getRawQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
    }
}
