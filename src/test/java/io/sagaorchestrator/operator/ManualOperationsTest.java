package io.sagaorchestrator.operator;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.deleteUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.operate;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every manual operation in the states that allow it, and refused (changing nothing) in those that do not. */
@QuarkusTest
class ManualOperationsTest {

    private static final String REASON = "{\"reason\":\"TT support fixed their delete endpoint (ticket 4711)\"}";

    @Inject
    DefinitionRegistry definitions;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    /** Creates a saga whose compensation cannot delete the TT user, so it ends ESCALATED. */
    private String givenEscalatedSaga(String name, String phone) {
        String username = name.toLowerCase() + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttError(503)));
        execute("insert into liaison_info (id, name, phone, username, remote_user_id) values (nextval('liaison_info_seq'), 'X', ?, ?, 'tt-x')",
                phone, "x" + phone);
        return startUserSync(name, phone, 30).then().statusCode(409).body("status", equalTo("ESCALATED"))
                .extract().path("sagaId");
    }

    @Test
    void anEscalatedSagaIsRetriedAfterTheCauseIsFixedAndEndsCompensated() {
        // given an escalated saga, and TT whose deletes work again
        String phone = uniquePhone();
        String sagaId = givenEscalatedSaga("Esc", phone);
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));

        // when an operator retries it
        operate("operator", sagaId, "retry", REASON).then().statusCode(200)
                .body("statusBefore", equalTo("ESCALATED"))
                .body("statusAfter", equalTo("COMPENSATING"));

        // then the compensation goes on with a fresh budget and the TT user is deleted
        awaitStatus(sagaId, "COMPENSATED").then()
                .body("operations", hasSize(1))
                .body("operations[0].operation", equalTo("retry"))
                .body("operations[0].actor", equalTo("operator"))
                .body("operations[0].reason", containsString("ticket 4711"))
                .body("operations[0].statusBefore", equalTo("ESCALATED"))
                .body("operations[0].statusAfter", equalTo("COMPENSATING"));
        tt().verifyThat(13, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
    }

    @Test
    void anEscalatedSagaIsResolvedOnceAndOnlyOnce() {
        // given an escalated saga
        String phone = uniquePhone();
        String sagaId = givenEscalatedSaga("Res", phone);

        // when two operators resolve it at the same time
        CompletableFuture<Response> a = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "resolve", REASON));
        CompletableFuture<Response> b = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "resolve", REASON));
        List<Integer> codes = List.of(a.join().statusCode(), b.join().statusCode());

        // then exactly one wins, and the other is told the state and that nothing is allowed any more
        assertEquals(1, codes.stream().filter(c -> c == 200).count(), codes.toString());
        assertEquals(1, codes.stream().filter(c -> c == 409).count(), codes.toString());
        operate("operator", sagaId, "resolve", REASON).then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo("RESOLVED"))
                .body("allowed", empty());
        saga(sagaId).then().body("status", equalTo("RESOLVED")).body("operations", hasSize(1));
        assertEquals(1, count("select count(*) from saga_audit where saga_id = ?::uuid", sagaId));
        // and the audit trail is searchable by saga, actor and operation
        as("viewer").get("/api/audit?operation=resolve&actor=operator&sagaId=" + sagaId).then().statusCode(200)
                .body("", hasSize(1))
                .body("[0].statusBefore", equalTo("ESCALATED"))
                .body("[0].statusAfter", equalTo("RESOLVED"));
        as("viewer").get("/api/audit?from=yesterday").then().statusCode(400);
    }

    @Test
    void aCompletedSagaIsCompensatedOnlyWhenForcedAndThenLocalRowsGoBeforeTheTtUser() {
        // given a completed saga
        String phone = uniquePhone();
        String username = "done" + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));
        String sagaId = startUserSync("Done", phone, 10).then().statusCode(200).extract().path("sagaId");

        // when an operator compensates it without force, then it is refused and nothing changes
        operate("operator", sagaId, "compensate", REASON).then().statusCode(409)
                .body("status", equalTo("COMPLETED"))
                .body("detail", containsString("force"))
                .body("allowed", hasItems("compensate"));
        assertEquals(1, count("select count(*) from liaison_info where username = ?", username));

        // when forced, then the liaison rows and the TT user are both gone
        operate("operator", sagaId, "compensate", "{\"reason\":\"customer withdrew consent\",\"force\":true}")
                .then().statusCode(200).body("statusAfter", equalTo("COMPENSATING"));
        awaitStatus(sagaId, "COMPENSATED").then()
                .body("steps[1].effect", equalTo("COMPENSATED"))
                .body("steps[0].effect", equalTo("COMPENSATED"));
        assertEquals(0, count("select count(*) from liaison_info where username = ?", username));
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
    }

    @Test
    void aStuckSagaIsFoundAsRetryingAndCompensatedByHand() {
        // given a saga stuck at ttAddUser after three unknown outcomes, its next try an hour away
        String phone = uniquePhone();
        String username = "stuck" + phone;
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        UUID id = givenStuckUserSync(d.hash(), d.version(), username, phone, 3, Duration.ofHours(1));
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        tt().register(deleteUser("tt-" + phone).willReturn(ttAnswer("OK", null)));

        // when an operator looks for retrying sagas of this phone, then it is there
        as("viewer").get("/api/sagas?retrying=true&businessKey=" + phone).then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].sagaId", equalTo(id.toString()))
                .body("items[0].retrying", equalTo(true))
                .body("items[0].attempts", equalTo(3));

        // when the operator compensates it
        operate("operator", id.toString(), "compensate", REASON).then().statusCode(200)
                .body("statusAfter", equalTo("COMPENSATING"));

        // then the unknown add is reconciled (added again to learn the id) and undone
        awaitStatus(id.toString(), "COMPENSATED");
        tt().verifyThat(1, deleteRequestedFor(urlEqualTo("/users/tt-" + phone)));
        assertEquals(0, count("select count(*) from liaison_info where username = ?", username));
    }

    @Test
    void aStuckStepIsRetriedNowWithAFreshBudgetAndCompletes() {
        // given a stuck saga that has used its attempts but one
        String phone = uniquePhone();
        String username = "again" + phone;
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        UUID id = givenStuckUserSync(d.hash(), d.version(), username, phone, 5, Duration.ofHours(1));
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when an operator retries it, then it runs now and completes
        operate("operator", id.toString(), "retry", REASON).then().statusCode(200).body("statusAfter", equalTo("RUNNING"));
        awaitStatus(id.toString(), "COMPLETED").then().body("steps[0].attempts", hasSize(6));
        // and a second retry finds nothing to retry
        operate("operator", id.toString(), "retry", REASON).then().statusCode(409).body("status", equalTo("COMPLETED"));
    }

    @Test
    void aSagaAnInstanceIsAdvancingRightNowIsNotTouched() {
        // given a saga whose TT call is in flight
        String phone = uniquePhone();
        tt().register(addUser("busy" + phone).willReturn(ttAnswer("OK", "tt-" + phone).withFixedDelay(1500)));
        String sagaId = startUserSync("Busy", phone, 0).then().statusCode(202).extract().path("sagaId");

        // when an operator tries to compensate it, then it is refused until the step has ended
        operate("operator", sagaId, "compensate", REASON).then().statusCode(409)
                .body("detail", containsString("is advancing this saga right now"))
                .body("status", equalTo("RUNNING"));
        awaitStatus(sagaId, "COMPLETED");
    }

    @Test
    void aReasonWithControlCharactersOrBidiOverridesIsRefusedAndChangesNothing() {
        // given an escalated saga
        String sagaId = givenEscalatedSaga("Nul", uniquePhone());

        // when an operator resolves it with a reason holding a NUL or a bidi override, then it is a 400 naming the reason
        for (String reason : new String[] {"fixed\\u0000", "fixed \\u202eby hand"}) {
            operate("operator", sagaId, "resolve", "{\"reason\":\"" + reason + "\"}").then().statusCode(400)
                    .contentType("application/problem+json").body("violations[0].field", equalTo("reason"));
        }

        // and the saga is still escalated, with no audit entry; a reason of several lines is fine
        saga(sagaId).then().body("status", equalTo("ESCALATED")).body("operations", org.hamcrest.Matchers.empty());
        operate("operator", sagaId, "resolve", "{\"reason\":\"deleted in TT by hand:\\n\\tINC-9\"}").then().statusCode(200);
    }

    @Test
    void anOperationNeedsAReasonAndAnOperator() {
        String sagaId = "00000000-0000-0000-0000-000000000000";
        operate("operator", sagaId, "resolve", "{}").then().statusCode(400)
                .body("violations[0].field", equalTo("reason"));
        operate("operator", sagaId, "resolve", "{\"reason\":\"  \"}").then().statusCode(400);
        operate("operator", sagaId, "resolve", REASON).then().statusCode(404);
        operate("viewer", sagaId, "resolve", REASON).then().statusCode(403);
        operate("client", sagaId, "resolve", REASON).then().statusCode(403);
    }
}
