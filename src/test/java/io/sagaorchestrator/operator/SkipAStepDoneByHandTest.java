package io.sagaorchestrator.operator;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.testsupport.FailingAuditEntries;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** An operator records that a step was carried out by hand, with its output, and the saga goes on from there. */
@QuarkusTest
class SkipAStepDoneByHandTest {

    private static final String BY_HAND = "{\"remoteUserId\":\"tt-hand\",\"remoteStatus\":\"OK\",\"ownership\":\"CREATED\"}";

    @Inject
    DefinitionRegistry definitions;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    private static String skip(String step, String output, String reason, boolean force) {
        return "{\"reason\":\"" + reason + "\",\"step\":\"" + step + "\",\"output\":" + output + (force ? ",\"force\":true" : "") + "}";
    }

    /** A user-sync saga stuck at tt-add-user after attempts whose outcome is unknown, its next try an hour away. */
    private UUID givenStuckSaga(String username, String phone) {
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        return givenStuckUserSync(d.hash(), d.version(), username, phone, 3, Duration.ofHours(1));
    }

    @Test
    void aStuckStepDoneByHandLetsTheSagaCompleteWithTheOutputGiven() {
        // given a saga stuck at tt-add-user, whose earlier attempts may have reached TT
        String phone = uniquePhone();
        String username = "hand" + phone;
        UUID id = givenStuckSaga(username, phone);

        // when an operator who created the user in TT by hand skips the step without force, then it is refused
        operate("operator", id.toString(), "skip", skip("tt-add-user", BY_HAND, "created in TT by hand, INC-7", false))
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("\"force\": true"))
                .body("allowed", hasItem("skip"))
                // and re-planning is not offered: the saga runs on the current version already
                .body("allowed", not(hasItem("replan")));

        // when the operator confirms having checked TT
        operate("operator", id.toString(), "skip", skip("tt-add-user", BY_HAND, "created in TT by hand, INC-7", true))
                .then().statusCode(200)
                .body("operation", equalTo("skip"))
                .body("statusBefore", equalTo("RUNNING"))
                .body("statusAfter", equalTo("RUNNING"));

        // then the next step runs at once with the output given, and the saga completes without calling TT
        awaitStatus(id.toString(), "COMPLETED").then()
                .body("steps[0].effect", equalTo("DONE"))
                .body("steps[0].output.remoteUserId", equalTo("tt-hand"))
                .body("operations", hasSize(1))
                .body("operations[0].operation", equalTo("skip"))
                .body("operations[0].actor", equalTo("operator"))
                .body("operations[0].details.step", equalTo("tt-add-user"))
                .body("operations[0].details.output.remoteUserId", equalTo("tt-hand"));
        assertEquals(1, count("select count(*) from liaison_info where username = ? and remote_user_id = 'tt-hand'", username));
        tt().verifyThat(0, postRequestedFor(urlEqualTo("/users")));
    }

    @Test
    void aSkipThatDoesNotFitIsRefusedSayingWhyAndChangesNothing() {
        // given a stuck saga
        String phone = uniquePhone();
        UUID id = givenStuckSaga("nofit" + phone, phone);
        String sagaId = id.toString();

        // when the operator names another step, then it is refused naming the current one
        operate("operator", sagaId, "skip", skip("save-liaison", "{\"liaisonId\":1}", "done by hand", true)).then().statusCode(409)
                .body("detail", containsString("stands on step 'tt-add-user' (1 of 2), not 'save-liaison'"));
        // when the output lacks a field save-liaison and the compensation read, then it is refused listing it
        operate("operator", sagaId, "skip", skip("tt-add-user", "{\"remoteUserId\":\"tt-1\"}", "done by hand", true)).then()
                .statusCode(409).body("detail", containsString("The output lacks ownership, remoteStatus, which later steps"));
        // when the step or the output is missing, or the output is not an object, then the request is invalid
        operate("operator", sagaId, "skip", "{\"reason\":\"done by hand\",\"output\":[1]}").then().statusCode(400)
                .contentType("application/problem+json")
                .body("violations.field", hasItems("step", "output"));
        operate("operator", sagaId, "skip", "{\"step\":\"tt-add-user\",\"output\":{}}").then().statusCode(400)
                .body("violations[0].field", equalTo("reason"));
        operate("viewer", sagaId, "skip", skip("tt-add-user", BY_HAND, "done by hand", true)).then().statusCode(403);

        // and the saga is as it was, with no audit entry
        saga(sagaId).then().body("status", equalTo("RUNNING")).body("steps[0].effect", equalTo("UNCERTAIN"))
                .body("operations", empty());
    }

    @Test
    void aSagaEscalatedWhileCompensatingCannotBeSkippedForward() {
        // given a saga escalated while undoing tt-add-user
        String phone = uniquePhone();
        UUID id = givenStuckSaga("back" + phone, phone);
        execute("update saga set status = 'ESCALATED', owner = null, wake_at = null where id = ?", id);
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at, ended_at)"
                + " values (?, 'tt-add-user', 'COMPENSATION', 1, 'FAILED', 'gone', now() + interval '1 second', now())", id);

        // when an operator skips the step, then it is refused: skip only goes forward, so it is not offered again
        operate("operator", id.toString(), "skip", skip("tt-add-user", BY_HAND, "done by hand", true)).then().statusCode(409)
                .body("detail", containsString("skip only carries a saga forward"))
                .body("allowed", hasItems("retry", "resolve"))
                .body("allowed", not(hasItem("skip")));
    }

    @Test
    void aStepInFlightIsNotSkipped() {
        // given a saga whose TT call is in flight
        String phone = uniquePhone();
        tt().register(addUser("busy" + phone).willReturn(ttAnswer("OK", "tt-" + phone).withFixedDelay(1500)));
        String sagaId = startUserSync("Busy", phone, 0).then().statusCode(202).extract().path("sagaId");

        // when an operator skips it, then it is refused until the step has ended
        operate("operator", sagaId, "skip", skip("tt-add-user", BY_HAND, "done by hand", true)).then().statusCode(409)
                .body("detail", containsString("is advancing this saga right now"));
        awaitStatus(sagaId, "COMPLETED").then().body("steps[0].output.remoteUserId", equalTo("tt-" + phone));
    }

    @Test
    void aSkipWhoseTransactionFailsMidWayChangesNothing() {
        // given a stuck saga, and a database that fails the operation's last write
        String phone = uniquePhone();
        UUID id = givenStuckSaga("crash" + phone, phone);
        try (FailingAuditEntries failing = FailingAuditEntries.whenTheReasonSaysSo()) {
            // when an operator skips the step
            operate("operator", id.toString(), "skip", skip("tt-add-user", BY_HAND, "by hand " + FailingAuditEntries.MARKER, true))
                    .then().statusCode(500).contentType("application/problem+json");
        }

        // then the saga is where it was: the step's state, its attempts and its version are untouched
        saga(id.toString()).then().body("status", equalTo("RUNNING")).body("steps[0].effect", equalTo("UNCERTAIN"))
                .body("operations", empty());
        assertEquals(1, count("select version from saga where id = ?", id));
        // and the skip can be made once the database is well
        operate("operator", id.toString(), "skip", skip("tt-add-user", BY_HAND, "by hand", true)).then().statusCode(200);
        awaitStatus(id.toString(), "COMPLETED");
    }

    @Test
    void twoOperatorsSkippingAtOnceSkipTheStepOnce() {
        // given a stuck saga
        String phone = uniquePhone();
        String sagaId = givenStuckSaga("twice" + phone, phone).toString();

        // when two operators skip its step at the same time
        String body = skip("tt-add-user", BY_HAND, "done by hand", true);
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "skip", body));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "skip", body));
        List<Integer> codes = List.of(a.join().statusCode(), b.join().statusCode());

        // then one wins, the other finds the saga past that step, and there is one audit entry
        assertEquals(List.of(200, 409), codes.stream().sorted().toList(), codes.toString());
        awaitStatus(sagaId, "COMPLETED");
        assertEquals(1, count("select count(*) from saga_audit where saga_id = ?::uuid and operation = 'skip'", sagaId));
        as("viewer").get("/api/audit?operation=skip&sagaId=" + sagaId).then().statusCode(200).body("", hasSize(1));
    }
}
