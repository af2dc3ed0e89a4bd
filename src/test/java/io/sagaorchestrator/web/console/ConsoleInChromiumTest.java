package io.sagaorchestrator.web.console;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.check.Diagram;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.runtime.SagaEngine;
import io.sagaorchestrator.testsupport.EarlierUserSync;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console as a person uses it, in a real (headless) Chromium: signing in, finding sagas, repairing them, and
 * what a viewer may not do. Results are checked in the page and through the API and the database.
 */
@QuarkusTest
class ConsoleInChromiumTest {

    private static HeadlessChromium browser;

    @TestHTTPResource("/")
    URL root;

    @Inject
    DefinitionRegistry definitions;

    @Inject
    SagaEngine engine;

    private WebDriver driver;

    @BeforeEach
    void freshSession() {
        resetTt();
        if (browser == null) {
            browser = HeadlessChromium.start();
        }
        driver = browser.driver;
        driver.get(root + "console/login");
        driver.manage().deleteAllCookies();
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void anUnauthenticatedVisitEndsAtTheSignInPageAndSigningInLeadsBackToIt() {
        driver.get(root + "console/sagas?status=ESCALATED");
        browser.waiting().until(ExpectedConditions.urlContains("/console/login"));
        browser.find("#j_username");

        fillSignIn("operator", "operator");
        browser.waiting().until(ExpectedConditions.urlContains("/console/sagas?status=ESCALATED"));
        assertEquals("operator", browser.find("#signed-in-user").getText());
        assertTrue(browser.find("input[name=status][value=ESCALATED]").isSelected());

        // signing out ends at the sign-in page, and the console is closed again
        browser.find(".who button").click();
        browser.waiting().until(ExpectedConditions.urlContains("/console/login?signedOut=true"));
        assertTrue(driver.getPageSource().contains("You have signed out"));
        driver.get(root + "console");
        browser.waiting().until(ExpectedConditions.urlContains("/console/login"));
    }

    @Test
    void aWrongPasswordIsToldOnTheSignInPage() {
        driver.get(root + "console");
        fillSignIn("operator", "wrong");
        assertTrue(browser.find("#login-error").getText().contains("wrong"));
    }

    @Test
    void anOperatorFindsAnEscalatedSagaByFilterAndResolvesItWithAReason() {
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.escalated("Esc", phone);
        signIn("operator");

        // the overview names it among the newest escalated sagas
        assertTrue(browser.find("#escalated-sagas").getText().contains(sagaId.substring(sagaId.lastIndexOf('-') + 1)));

        // the list finds it by status and business key
        driver.findElement(By.linkText("Sagas")).click();
        browser.find("input[name=status][value=ESCALATED]").click();
        browser.find("#businessKey").sendKeys(phone);
        browser.find("#search").click();
        browser.waiting().until(ExpectedConditions.urlContains("businessKey=" + phone));
        List<WebElement> rows = driver.findElements(By.cssSelector("#sagas tbody tr[data-saga-id]"));
        assertEquals(1, rows.size());
        assertEquals(sagaId, rows.get(0).getAttribute("data-saga-id"));
        assertEquals("ESCALATED", rows.get(0).findElement(By.cssSelector(".badge")).getText());
        assertTrue(rows.get(0).getText().contains("HTTP 503"), rows.get(0).getText());

        // its page shows the failed compensation attempts, and offers retry and resolve but not compensate
        rows.get(0).findElement(By.cssSelector("a")).click();
        assertEquals("ESCALATED", browser.find("#saga-status").getText());
        String timeline = browser.find("#timeline").getText();
        assertTrue(timeline.contains("compensation") && timeline.contains("HTTP 503"), timeline);
        assertEquals(1, driver.findElements(By.id("action-resolve")).size());
        assertEquals(1, driver.findElements(By.id("action-retry")).size());
        assertEquals(0, driver.findElements(By.id("action-compensate")).size());

        // when the operator resolves it with a reason
        String reason = "Checked in TT: user removed by hand (INC-77)";
        browser.find("#reason-resolve").sendKeys(reason);
        browser.find("#confirm-resolve").click();
        browser.submit("#submit-resolve");

        // then the page shows the result and the audit entry
        String outcome = browser.find("#outcome").getText();
        assertTrue(outcome.contains("resolve applied") && outcome.contains("ESCALATED") && outcome.contains("RESOLVED"), outcome);
        assertEquals("RESOLVED", browser.find("#saga-status").getText());
        String audit = browser.find("#audit").getText();
        assertTrue(audit.contains(reason) && audit.contains("operator"), audit);
        assertEquals(0, driver.findElements(By.cssSelector("form.action")).size(), "a RESOLVED saga takes no operation");
        // and so do the API and the database
        saga(sagaId).then().body("status", equalTo("RESOLVED"))
                .body("operations", hasSize(1))
                .body("operations[0].actor", equalTo("operator"))
                .body("operations[0].operation", equalTo("resolve"))
                .body("operations[0].reason", equalTo(reason));
        assertEquals(1, count("select count(*) from saga_audit where saga_id = ?::uuid and operation = 'resolve' and actor = 'operator'"
                + " and reason = ?", sagaId, reason));
    }

    @Test
    void anOperatorCompensatesAStuckSagaAndSeesItUndone() {
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.stuck(definitions.current("user-sync").orElseThrow(), "Stuck", phone);
        signIn("operator");

        // the list finds it as retrying
        driver.get(root + "console/sagas");
        browser.find("#businessKey").sendKeys(phone);
        browser.find("#retrying").click();
        browser.find("#search").click();
        browser.waiting().until(ExpectedConditions.urlContains("retrying=true"));
        List<WebElement> rows = driver.findElements(By.cssSelector("#sagas tbody tr[data-saga-id]"));
        assertEquals(1, rows.size());
        assertEquals("RUNNING", rows.get(0).findElement(By.cssSelector(".badge")).getText());
        rows.get(0).findElement(By.cssSelector("a")).click();

        // a RUNNING saga may be compensated (no force needed) or retried, not resolved
        assertEquals("RUNNING", browser.find("#saga-status").getText());
        assertEquals(0, driver.findElements(By.id("action-resolve")).size());
        assertEquals(0, driver.findElements(By.id("force-compensate")).size());
        // above the button, the plan: the add that may have happened would be undone, the save was never reached
        String plan = browser.find("#compensation-plan").getText();
        assertTrue(plan.contains("undone by ttDeleteUser") && plan.contains("not reached"), plan);

        String reason = "TT has failed for hours; the customer will register again (INC-78)";
        browser.find("#reason-compensate").sendKeys(reason);
        browser.find("#confirm-compensate").click();
        browser.submit("#submit-compensate");
        String outcome = browser.find("#outcome").getText();
        assertTrue(outcome.contains("compensate applied") && outcome.contains("RUNNING") && outcome.contains("COMPENSATING"), outcome);

        // the engine undoes it: the page shows it once reloaded, the API and the database agree
        awaitStatus(sagaId, "COMPENSATED").then()
                .body("operations[0].reason", equalTo(reason))
                .body("operations[0].statusBefore", equalTo("RUNNING"));
        driver.navigate().refresh();
        assertEquals("COMPENSATED", browser.find("#saga-status").getText());
        assertTrue(browser.find("#timeline").getText().contains("compensation"));
        assertEquals(0, count("select count(*) from liaison_info where username = ?", "stuck" + phone));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
    }

    @Test
    void anOperatorPausesASagaDuringAnIncidentThenResumesItAndItCompletes() {
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.stuck(definitions.current("user-sync").orElseThrow(), "Held", phone);
        signIn("operator");
        driver.get(root + "console/sagas/" + sagaId);

        // a RUNNING saga nobody paused offers pause, not resume
        assertEquals(1, driver.findElements(By.id("action-pause")).size());
        assertEquals(0, driver.findElements(By.id("action-resume")).size());

        // when the operator pauses it with a reason
        browser.find("#reason-pause").sendKeys("TT is down (INC-79)");
        browser.find("#confirm-pause").click();
        browser.submit("#submit-pause");

        // then the page says so, shows it paused, and now offers resume instead
        String outcome = browser.find("#outcome").getText();
        assertTrue(outcome.contains("pause applied") && outcome.contains("no new attempt until it is resumed"), outcome);
        assertEquals("paused", browser.find("#saga-paused").getText());
        assertTrue(browser.find("#paused-by").getText().contains("by operator"));
        assertEquals(0, driver.findElements(By.id("action-pause")).size());
        assertEquals(1, driver.findElements(By.id("action-resume")).size());
        // and the list finds it as paused
        driver.get(root + "console/sagas?paused=true&businessKey=" + phone);
        List<WebElement> rows = driver.findElements(By.cssSelector("#sagas tbody tr[data-saga-id]"));
        assertEquals(1, rows.size());
        assertTrue(rows.get(0).getText().contains("paused"), rows.get(0).getText());
        assertTrue(browser.find("#paused").isSelected());

        // when the operator resumes it from its page
        rows.get(0).findElement(By.cssSelector("a")).click();
        browser.find("#reason-resume").sendKeys("TT is back (INC-79 closed)");
        browser.find("#confirm-resume").click();
        browser.submit("#submit-resume");
        assertTrue(browser.find("#outcome").getText().contains("resume applied"));

        // then it goes on and completes, with both operations in its audit trail
        awaitStatus(sagaId, "COMPLETED").then().body("paused", equalTo(false))
                .body("operations", hasSize(2))
                .body("operations[0].operation", equalTo("pause"))
                .body("operations[1].operation", equalTo("resume"));
        driver.navigate().refresh();
        assertEquals(0, driver.findElements(By.id("saga-paused")).size());
    }

    @Test
    void anOperatorSeesWhatCompensatingACompletedSagaWouldUndoAboveTheButton() {
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.completed("Planned", phone);
        signIn("operator");

        driver.get(root + "console/sagas/" + sagaId);

        // the plan lists the steps latest first, as compensation visits them, and says it needs force
        WebElement plan = browser.find("#compensation-plan");
        assertTrue(plan.getText().contains("(with force)"), plan.getText());
        List<WebElement> steps = plan.findElements(By.cssSelector("li"));
        assertEquals(List.of("save-liaison", "tt-add-user"), steps.stream().map(li -> li.getAttribute("data-step")).toList());
        // the request the undo of the add would send, opened by a click
        steps.get(1).findElement(By.cssSelector("summary")).click();
        String request = steps.get(1).findElement(By.cssSelector("pre")).getText();
        assertTrue(request.contains("DELETE") && request.contains("/users/tt-" + phone), request);
        // and it stands above the button it explains
        assertTrue(plan.getLocation().getY() < browser.find("#submit-compensate").getLocation().getY());
        saga(sagaId).then().body("status", equalTo("COMPLETED"));
    }

    @Test
    void aViewerGetsNoActionsAndAForgedPostIsRefused() {
        String sagaId = ConsoleSagas.escalated("Look", uniquePhone());
        signIn("viewer");

        driver.get(root + "console/sagas/" + sagaId);
        assertEquals("ESCALATED", browser.find("#saga-status").getText());
        assertEquals(0, driver.findElements(By.cssSelector("form.action")).size());
        assertTrue(browser.find("#no-actions").getText().contains("only an operator"));

        // a post made by hand from the viewer's signed-in browser is refused by the server
        String answer = (String) ((JavascriptExecutor) driver).executeAsyncScript(
                "var done = arguments[arguments.length - 1];"
                        + "fetch('/console/sagas/" + sagaId + "/resolve', {method: 'POST',"
                        + " headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
                        + " body: 'reason=forged&confirm=true'})"
                        + ".then(function (r) { return r.text().then(function (t) { done(r.status + '|' + t); }); })"
                        + ".catch(function (e) { done('failed|' + e); });");
        assertTrue(answer.startsWith("403|"), answer);
        assertTrue(answer.contains("Only an operator"), answer);
        saga(sagaId).then().body("status", equalTo("ESCALATED")).body("operations", hasSize(0));
        assertEquals(0, count("select count(*) from saga_audit where saga_id = ?::uuid", sagaId));
    }

    @Test
    void theOverviewShowsANewEscalationByItselfWithoutReloadingThePage() {
        signIn("operator");
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript("window.stillTheSamePage = true;");
        String asOf = browser.find("#as-of").getAttribute("datetime");

        String sagaId = ConsoleSagas.escalated("Late", uniquePhone());

        new org.openqa.selenium.support.ui.WebDriverWait(driver, java.time.Duration.ofSeconds(25)).until(d ->
                d.findElements(By.cssSelector("#escalated-sagas a[href='/console/sagas/" + sagaId + "']")).size() == 1);
        assertTrue(!asOf.equals(browser.find("#as-of").getAttribute("datetime")), "the figures were counted again");
        assertEquals(Boolean.TRUE, js.executeScript("return window.stillTheSamePage === true;"), "the page was not reloaded");
        assertTrue(browser.find("#auto-refresh").isSelected());
    }

    /** The README's pictures: the list with sagas in several states, and an escalated saga's page. */
    @Test
    void screenshotsOfTheListAndOfAnEscalatedSaga() throws Exception {
        ConsoleSagas.completed("Alice", uniquePhone());
        ConsoleSagas.compensated("Bob", uniquePhone());
        ConsoleSagas.stuck(definitions.current("user-sync").orElseThrow(), "Carol", uniquePhone());
        String escalated = ConsoleSagas.escalated("Dave", uniquePhone());
        signIn("operator");

        Path overview = browser.screenshot("console-overview");
        driver.get(root + "console/sagas");
        browser.find("#sagas");
        Path list = browser.screenshot("console-list");
        driver.get(root + "console/sagas/" + escalated);
        browser.find("#timeline");
        Path detail = browser.screenshot("console-escalated-detail");
        for (Path png : new Path[] {overview, list, detail}) {
            assertTrue(Files.size(png) > 10_000, png + " is a page, not a blank");
        }
    }

    // --- diagrams, drawn by Mermaid served from the console itself ---

    @Test
    void aDefinitionsPageDrawsItsDiagramWithMermaidServedByTheConsole() throws Exception {
        signIn("viewer");

        driver.get(root + "console/definitions/user-sync");

        WebElement drawing = drawnDiagram();
        String text = drawing.getText();
        assertTrue(text.contains("tt-add-user") && text.contains("save-liaison") && text.contains("undo tt-add-user")
                && text.contains("ESCALATED"), text);
        // nothing came from elsewhere: every script the page loaded is the console's own
        List<WebElement> scripts = driver.findElements(By.cssSelector("script[src]"));
        assertTrue(scripts.stream().allMatch(s -> s.getAttribute("src").startsWith(root + "console/assets/")),
                scripts.stream().map(s -> s.getAttribute("src")).toList().toString());
        assertTrue(Files.size(browser.screenshot("console-definition-diagram")) > 10_000);
    }

    @Test
    void aCompensatedSagasPageLaysWhatBecameOfEachStepOverItsDiagram() throws Exception {
        // given a user-sync whose local save failed after TT added the user, which TT then deleted
        String sagaId = ConsoleSagas.compensated("Drawn", uniquePhone());
        signIn("viewer");

        driver.get(root + "console/sagas/" + sagaId);
        drawnDiagram();

        // then the add is drawn undone, its undo done, the save failed, and the saga's end outlined
        assertEquals(List.of(Diagram.Mark.COMPENSATED.css()), marksOf("s0"));
        assertEquals(List.of(Diagram.Mark.DONE.css()), marksOf("u0"));
        assertEquals(List.of(Diagram.Mark.FAILED.css()), marksOf("s1"));
        assertTrue(marksOf("compensated").contains("reached"), marksOf("compensated").toString());
        assertEquals(List.of(), marksOf("done"), "the saga did not complete");
        assertTrue(Files.size(browser.screenshot("console-saga-diagram")) > 10_000);
    }

    @Test
    void aWaitingSagasPageDrawsItsAwaitAsWaiting() throws Exception {
        // given a saga that reserved and waits for a manager's approval (test definition approval-shop-test)
        String sku = "sku-" + UUID.randomUUID();
        tt().register(post(urlEqualTo("/shop/reservations/" + sku))
                .willReturn(aResponse().withStatus(201)
                        .withHeader("Content-Type", "application/json").withBody("{\"id\":\"r-1\"}")));
        String sagaId = engine.start(definitions.current("approval-shop-test").orElseThrow(),
                JsonNodeFactory.instance.objectNode().put("sku", sku), sku, "console-test", null, Duration.ofSeconds(1))
                .sagaId().toString();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "approval".equals(saga(sagaId).path("waitingFor")));
        signIn("viewer");

        driver.get(root + "console/sagas/" + sagaId);
        drawnDiagram();

        // then the reservation is drawn done, the await waiting, what follows not reached, and no end outlined
        assertEquals(List.of(Diagram.Mark.DONE.css()), marksOf("s0"));
        assertEquals(List.of(Diagram.Mark.WAITING.css()), marksOf("s1"), driver.findElement(By.id("diagram-source")).getAttribute("textContent"));
        assertEquals(List.of(), marksOf("s2"));
        assertEquals(List.of(), marksOf("done"));
        assertTrue(Files.size(browser.screenshot("console-waiting-saga-diagram")) > 10_000);
    }

    @Test
    void aGroupIsDrawnAsOneBoxAndEachOfItsBranchesCarriesWhatBecameOfIt() throws Exception {
        // given a saga of group-shop-test whose charge was refused while the shipment and the notice ran beside it
        String sku = "sku-" + UUID.randomUUID();
        for (String path : List.of("reservations", "shipments", "notices")) {
            tt().register(post(urlEqualTo("/shop/" + path + "/" + sku)).willReturn(aResponse().withStatus(201)
                    .withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + path + "-1\"}").withFixedDelay(200)));
        }
        tt().register(post(urlEqualTo("/shop/charges/" + sku)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"none\"}")));
        tt().register(delete(urlMatching("/shop/.*")).willReturn(aResponse().withStatus(204)));
        String sagaId = engine.start(definitions.current("group-shop-test").orElseThrow(),
                JsonNodeFactory.instance.objectNode().put("sku", sku), sku, "console-test", null, Duration.ofSeconds(1))
                .sagaId().toString();
        await().atMost(Duration.ofSeconds(20)).until(() -> "COMPENSATED".equals(saga(sagaId).path("status")));
        signIn("viewer");

        driver.get(root + "console/sagas/" + sagaId);
        WebElement drawing = drawnDiagram();

        // then the group is one box, its branches that ran beside the refusal are drawn undone, as is the reservation
        assertTrue(drawing.getText().contains("parallel settle"), drawing.getText());
        assertEquals(List.of(Diagram.Mark.COMPENSATED.css()), marksOf("s2"));
        assertEquals(List.of(Diagram.Mark.COMPENSATED.css()), marksOf("s3"));
        assertEquals(List.of(Diagram.Mark.COMPENSATED.css()), marksOf("s0"));
        assertTrue(marksOf("compensated").contains("reached"), marksOf("compensated").toString());
        assertEquals(List.of(), marksOf("s4"), "the step after the group was never reached");
        assertTrue(Files.size(browser.screenshot("console-group-saga-diagram")) > 10_000);
    }

    private WebElement drawnDiagram() {
        WebElement drawing = browser.find("#diagram-drawing");
        browser.waiting().until(d -> drawing.getAttribute("data-drawn") != null);
        assertEquals("true", drawing.getAttribute("data-drawn"), drawing.getText());
        return drawing;
    }

    /** The state classes Mermaid gave a node of the drawn diagram, found by the node's id in the Mermaid text. */
    private List<String> marksOf(String node) {
        WebElement g = driver.findElement(By.cssSelector("#diagram-drawing g.node[id*='-" + node + "-']"));
        return java.util.Arrays.stream(g.getAttribute("class").split("\\s+"))
                .filter(c -> java.util.Arrays.stream(Diagram.Mark.values()).anyMatch(m -> m.css().equals(c))
                        || c.equals("reached"))
                .toList();
    }

    // --- skip a step done by hand, re-plan on a corrected definition ---

    @Test
    void anOperatorSkipsAStuckStepDoneByHandAndTheSagaCompletes() {
        String phone = uniquePhone();
        String sagaId = ConsoleSagas.stuck(definitions.current("user-sync").orElseThrow(), "Hand", phone);
        signIn("operator");
        driver.get(root + "console/sagas/" + sagaId);

        // a RUNNING saga offers skip and re-plan; the step to skip is the one it stands on
        assertEquals(1, driver.findElements(By.id("action-skip")).size());
        assertEquals(1, driver.findElements(By.id("action-replan")).size());
        assertEquals("tt-add-user", new org.openqa.selenium.support.ui.Select(browser.find("#step-skip"))
                .getFirstSelectedOption().getAttribute("value"));

        // an output without the owner is refused, saying what is missing
        String reason = "Created in TT by hand while its API was down (INC-80)";
        browser.find("#reason-skip").sendKeys(reason);
        browser.find("#output-skip").sendKeys("{\"remoteUserId\": \"tt-hand-" + phone + "\"}");
        browser.find("#force-skip").click();
        browser.find("#confirm-skip").click();
        browser.submit("#submit-skip");
        String refused = browser.find("#outcome").getText();
        assertTrue(refused.contains("skip refused") && refused.contains("lacks ownership, remoteStatus"), refused);

        // the whole output is taken, and the saga goes on to save the liaison with it
        browser.find("#output-skip").sendKeys("{\"remoteUserId\": \"tt-hand-" + phone + "\", \"remoteStatus\": \"OK\","
                + " \"ownership\": \"CREATED\"}");
        browser.find("#force-skip").click();
        browser.find("#confirm-skip").click();
        browser.submit("#submit-skip");
        String outcome = browser.find("#outcome").getText();
        assertTrue(outcome.contains("skip applied") && outcome.contains(reason), outcome);
        awaitStatus(sagaId, "COMPLETED").then().body("operations[0].operation", equalTo("skip"));
        assertEquals(1, count("select count(*) from liaison_info where remote_user_id = ?", "tt-hand-" + phone));
    }

    @Test
    void anOperatorPreviewsThenRePlansASagaOnACorrectedDefinition() {
        String phone = uniquePhone();
        String sagaId = EarlierUserSync.sagaEscalatedUndoing(EarlierUserSync.kept(EarlierUserSync.v1()), "tt-add-user", phone);
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        signIn("operator");
        driver.get(root + "console/sagas/" + sagaId);

        // the preview lists what changes and changes nothing
        String reason = "v1 gave ttDeleteUser a single attempt (INC-81)";
        browser.find("#reason-replan").sendKeys(reason);
        browser.submit("#preview-replan");
        String preview = browser.find("#outcome").getText();
        assertTrue(preview.contains("replan preview") && preview.contains("from v1 to v" + EarlierUserSync.shippedVersion()), preview);
        assertTrue(browser.find("#replan-changes").getText().contains("compensationRetry.attempts: 1 -> 12"));
        saga(sagaId).then().body("definitionVersion", equalTo(1)).body("operations", hasSize(0));

        // confirmed, the saga moves to the shipped version and its compensation deletes the TT user
        browser.find("#confirm-replan").click();
        browser.submit("#submit-replan");
        String outcome = browser.find("#outcome").getText();
        assertTrue(outcome.contains("replan applied") && outcome.contains("COMPENSATING"), outcome);
        awaitStatus(sagaId, "COMPENSATED").then().body("definitionVersion", equalTo(EarlierUserSync.shippedVersion()));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
    }

    private void signIn(String user) {
        driver.get(root + "console");
        browser.waiting().until(ExpectedConditions.urlContains("/console/login"));
        fillSignIn(user, user);
        browser.waiting().until(ExpectedConditions.textToBe(By.id("signed-in-user"), user));
    }

    private void fillSignIn(String user, String password) {
        browser.find("#j_username").sendKeys(user);
        browser.find("#j_password").sendKeys(password);
        browser.find("#sign-in").click();
    }
}
