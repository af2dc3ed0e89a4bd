package io.sagaorchestrator.web.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * What a loaded definition will do is served by the API and the console: the failure points {@code check} prints, and
 * the definition as a Mermaid flowchart.
 */
@QuarkusTest
class WhatADefinitionWillDoIsServedTest {

    @Test
    void theApiAnswersEveryFailurePointOfALoadedDefinition() {
        // given user-sync is loaded; when a viewer asks for its failure points
        as("viewer").get("/api/definitions/user-sync/failure-points").then().statusCode(200)
                // then the matrix names the failing compensation of tt-add-user and its escalation, and there is no lint
                .body("name", equalTo("user-sync"))
                .body("failurePoints.find { it.step == 'tt-add-user' && it.failure == 'COMPENSATION_FAILS' }.end", equalTo("ESCALATED"))
                .body("failurePoints.find { it.step == 'tt-add-user' && it.failure == 'COMPENSATION_FAILS' }.trigger",
                        equalTo("save-liaison is rejected"))
                .body("failurePoints.find { it.step == 'save-liaison' && it.failure == 'REJECTED' }.path",
                        hasItem("undo tt-add-user (ttDeleteUser): ok"))
                .body("lints", empty());
    }

    @Test
    void theApiAnswersTheDefinitionAsAMermaidFlowchart() {
        // when a viewer asks for user-sync's diagram, then it is Mermaid text whose failure edges lead to the undo
        as("viewer").get("/api/definitions/user-sync/diagram").then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(startsWith("flowchart TD\n"))
                .body(containsString("\n  s1 -.->|fails| u0\n"))
                .body(containsString("\n  u0 -.->|keeps failing| escalated\n"))
                // user-sync checks its undo: the check leads on, or to ESCALATED as drift
                .body(containsString("\n  u0 -.-> k0\n"))
                .body(containsString("\n  k0 -.-> compensated\n"))
                .body(containsString("\n  k0 -.->|drift| escalated\n"));
        as("viewer").get("/api/definitions/no-such-saga/diagram").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void anUnknownDefinitionIsAProblemThatSaysWhatIsLoaded() {
        as("viewer").get("/api/definitions/no-such-saga/failure-points").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", containsString("No saga definition 'no-such-saga' is loaded"));
    }

    @Test
    void theConsoleShowsTheFailurePointsOnTheDefinitionsPage() {
        // given a viewer signed in to the console
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");

        // when the viewer opens the definitions list, then user-sync's page
        given().cookies(signedIn.getCookies()).get("/console/definitions").then().statusCode(200)
                .body(containsString("href=\"/console/definitions/user-sync\""));
        given().cookies(signedIn.getCookies()).get("/console/definitions/user-sync").then().statusCode(200)
                // then the table shows the escalation of a failing compensation
                .body(containsString("id=\"failure-point-table\""))
                .body(containsString("<li>undo tt-add-user (ttDeleteUser): fails, unavailable (12 attempts in 4 runs)"))
                .body(containsString("<span class=\"badge status-escalated\">ESCALATED</span>"));
    }

    @Test
    void aParallelGroupIsDrawnAsABoxAndItsBranchesAreNamedOnTheDefinitionsPage() {
        // given order-fulfilment, whose three calls form the group settle, undone side by side; when a viewer asks for its
        // diagram
        as("viewer").get("/api/definitions/order-fulfilment/diagram").then().statusCode(200)
                // then the group is a box that forks into each branch and joins before COMPLETED
                .body(containsString("\n  subgraph g0 [\"parallel settle<br/>all at once\"]\n"))
                .body(containsString("\n  f0 --> s1\n"))
                .body(containsString("\n  j0 --> done\n"))
                // and a failing branch leads to the group's undo fork, whose undos join before COMPENSATED
                .body(containsString("\n  s1 -.->|fails| uf0\n"))
                .body(containsString("\n  uf0 -.-> u2\n"))
                .body(containsString("\n  u2 -.-> uj0\n"))
                .body(containsString("\n  uj0 -.-> compensated\n"));
        // and the API lists the group with its branches
        as("viewer").get("/api/definitions").then().statusCode(200)
                .body("find { it.name == 'order-fulfilment' }.groups[0].name", org.hamcrest.Matchers.equalTo("settle"))
                .body("find { it.name == 'order-fulfilment' }.groups[0].branches", org.hamcrest.Matchers.contains(
                        "reserve-stock", "charge-payment", "book-shipment"))
                .body("find { it.name == 'order-fulfilment' }.groups[0].maxConcurrency", org.hamcrest.Matchers.equalTo(3))
                .body("find { it.name == 'order-fulfilment' }.groups[0].compensation", org.hamcrest.Matchers.equalTo("parallel"))
                // a group that names no order is undone one branch at a time, the last first
                .body("find { it.name == 'group-shop-test' }.groups[0].compensation", org.hamcrest.Matchers.equalTo("reverse"))
                .body("find { it.name == 'user-sync' }.groups", org.hamcrest.Matchers.nullValue());
        // and the definition's page says which group each step is a branch of
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");
        given().cookies(signedIn.getCookies()).get("/console/definitions/order-fulfilment").then().statusCode(200)
                .body(containsString("<td>settle: branch 2 of 3, all at once, undone side by side</td>"))
                .body(containsString("The branches of a parallel group start together."));
    }
}
