package io.sagaorchestrator.operator;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.testsupport.FailingAuditEntries;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import io.sagaorchestrator.testsupport.EarlierUserSync;
import static io.sagaorchestrator.testsupport.EarlierUserSync.kept;
import static io.sagaorchestrator.testsupport.EarlierUserSync.sagaEscalatedUndoing;
import static io.sagaorchestrator.testsupport.EarlierUserSync.v1;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An escalated saga pinned to an earlier version of user-sync, whose compensation had a budget of one attempt, is
 * moved by an operator to the shipped version (12 attempts) and finishes there.
 */
@QuarkusTest
class ReplanOnACorrectedDefinitionTest {

    private static final String REPLAN = "{\"reason\":\"v1 gave ttDeleteUser one attempt; the shipped version gives 12 (PR 81)\"}";
    private static final String DRY_RUN = "{\"reason\":\"what would change?\",\"dryRun\":true}";

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void anEscalatedSagaIsPreviewedThenMovedToTheCorrectedDefinitionAndFinishes() {
        // given a saga escalated on v1 after its one compensation attempt, and TT whose deletes work again
        String phone = uniquePhone();
        String sagaId = sagaEscalatedUndoing(kept(v1()), "tt-add-user", phone);
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));

        // when an operator asks for a dry run, then it shows the change of policy and changes nothing
        operate("operator", sagaId, "replan", DRY_RUN).then().statusCode(200)
                .body("dryRun", equalTo(true))
                .body("auditId", equalTo(0))
                .body("statusAfter", equalTo("COMPENSATING"))
                .body("plan.fromVersion", equalTo(1))
                .body("plan.toVersion", equalTo(EarlierUserSync.shippedVersion()))
                .body("plan.mismatches", empty())
                .body("plan.policies", hasItem("step 'tt-add-user' compensationRetry.attempts: 1 -> 12"))
                .body("plan.stepsAhead", empty());
        saga(sagaId).then().body("status", equalTo("ESCALATED")).body("definitionVersion", equalTo(1)).body("operations", empty());

        // when the operator re-plans it
        operate("operator", sagaId, "replan", REPLAN).then().statusCode(200)
                .body("dryRun", equalTo(false))
                .body("statusBefore", equalTo("ESCALATED"))
                .body("statusAfter", equalTo("COMPENSATING"));

        // then it runs on the shipped version and its compensation deletes the TT user, audited with what changed
        awaitStatus(sagaId, "COMPENSATED").then()
                .body("definitionVersion", equalTo(EarlierUserSync.shippedVersion()))
                .body("operations", hasSize(1))
                .body("operations[0].operation", equalTo("replan"))
                .body("operations[0].reason", containsString("PR 81"))
                .body("operations[0].details.plan.policies[0]", equalTo("step 'tt-add-user' compensationRetry.attempts: 1 -> 12"));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
    }

    @Test
    void aSagaWhosePassedStepDiffersInTheCurrentDefinitionIsNotMoved() {
        // given a saga on a v1 whose first step had another name
        String phone = uniquePhone();
        String v1 = v1().replace("name: tt-add-user", "name: tt-create-user");
        String sagaId = sagaEscalatedUndoing(kept(v1), "tt-create-user", phone);

        // when an operator re-plans it (or asks for a dry run), then it is refused saying which step differs and how
        for (String body : new String[] {DRY_RUN, REPLAN}) {
            operate("operator", sagaId, "replan", body).then().statusCode(409).contentType("application/problem+json")
                    .body("detail", containsString("step 1 'tt-create-user' has been passed, but in v" + EarlierUserSync.shippedVersion()
                            + " name: tt-create-user -> tt-add-user"));
        }
        saga(sagaId).then().body("definitionVersion", equalTo(1)).body("operations", empty());
    }

    @Test
    void aSagaOnTheCurrentDefinitionIsNotMovedAndAReasonIsRequired() {
        String phone = uniquePhone();
        String sagaId = sagaEscalatedUndoing(kept(v1()), "tt-add-user", phone);
        operate("operator", sagaId, "replan", "{\"dryRun\":true}").then().statusCode(400).body("violations[0].field", equalTo("reason"));
        operate("viewer", sagaId, "replan", REPLAN).then().statusCode(403);

        operate("operator", sagaId, "replan", REPLAN).then().statusCode(200);
        operate("operator", sagaId, "replan", REPLAN).then().statusCode(409);
    }

    @Test
    void aReplanWhoseTransactionFailsMidWayChangesNothing() {
        // given an escalated saga on v1, and a database that fails the operation's last write
        String phone = uniquePhone();
        String sagaId = sagaEscalatedUndoing(kept(v1()), "tt-add-user", phone);
        try (FailingAuditEntries failing = FailingAuditEntries.whenTheReasonSaysSo()) {
            // when an operator re-plans it
            operate("operator", sagaId, "replan", "{\"reason\":\"move " + FailingAuditEntries.MARKER + "\"}").then().statusCode(500);
        }

        // then it is still pinned to v1, escalated, at the same version
        saga(sagaId).then().body("status", equalTo("ESCALATED")).body("definitionVersion", equalTo(1)).body("operations", empty());
        assertEquals(1, count("select version from saga where id = ?::uuid", sagaId));
    }

    @Test
    void twoOperatorsReplanningAtOnceMoveTheSagaOnce() {
        // given an escalated saga on v1, and TT whose deletes work
        String phone = uniquePhone();
        String sagaId = sagaEscalatedUndoing(kept(v1()), "tt-add-user", phone);
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));

        // when two operators re-plan it at the same time
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "replan", REPLAN));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "replan", REPLAN));
        List<Integer> codes = List.of(a.join().statusCode(), b.join().statusCode());

        // then one moves it, the other finds it moved already, and there is one audit entry
        assertEquals(List.of(200, 409), codes.stream().sorted().toList(), codes.toString());
        awaitStatus(sagaId, "COMPENSATED");
        assertEquals(1, count("select count(*) from saga_audit where saga_id = ?::uuid and operation = 'replan'", sagaId));
    }
}
