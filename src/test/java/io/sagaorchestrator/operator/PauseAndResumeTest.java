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
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pause and resume: a paused saga makes no new attempt until it is resumed, an attempt in flight ends first, and the
 * operation is refused, serialized and audited like the other manual operations.
 */
@QuarkusTest
class PauseAndResumeTest {

    private static final String PAUSE = "{\"reason\":\"TT is down (INC-12), hold user-sync until they are back\"}";
    private static final String RESUME = "{\"reason\":\"TT is back (INC-12 closed)\"}";
    /** Longer than a recovery scan (1 s in tests) and many backoffs (scaled by 0.01): a saga that may go on would have. */
    private static final long LONG_ENOUGH_TO_HAVE_MOVED = 2500;

    @Inject
    DefinitionRegistry definitions;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void aPauseDuringAnAttemptTakesEffectWhenItEndsAndNoNewAttemptIsMadeUntilResumed() throws InterruptedException {
        // given a saga whose first TT call is in flight and will fail after 1.5 s (its step has 5 attempts left)
        String phone = uniquePhone();
        String username = "pause" + phone;
        tt().register(addUser(username).willReturn(ttError(503).withFixedDelay(1500)));
        String sagaId = startUserSync("Pause", phone, 0).then().statusCode(202).extract().path("sagaId");

        // when an operator pauses it while the call is in flight
        operate("operator", sagaId, "pause", PAUSE).then().statusCode(200)
                .body("operation", equalTo("pause"))
                .body("statusBefore", equalTo("RUNNING"))
                .body("statusAfter", equalTo("RUNNING"));

        // then the attempt in flight ends and is recorded, and its owner releases the saga instead of trying again
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Response s = saga(sagaId);
            return s.path("owner") == null && !"PENDING".equals(s.path("steps[0].attempts[0].outcome"));
        });
        // and no new attempt is made while it stays paused
        Thread.sleep(LONG_ENOUGH_TO_HAVE_MOVED);
        saga(sagaId).then().body("status", equalTo("RUNNING"))
                .body("paused", equalTo(true))
                .body("pausedBy", equalTo("operator"))
                .body("pausedAt", notNullValue())
                .body("nextAttemptAt", nullValue())
                .body("steps[0].attempts", hasSize(1));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/users")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.username",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(username))));
        // and it is found as paused in the list and counted in the stats
        as("viewer").get("/api/sagas?paused=true&businessKey=" + phone).then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].paused", equalTo(true))
                .body("items[0].pausedBy", equalTo("operator"));
        as("viewer").get("/api/sagas?paused=false&businessKey=" + phone).then().statusCode(200).body("items", hasSize(0));

        // when TT is back and an operator resumes it
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));
        operate("operator", sagaId, "resume", RESUME).then().statusCode(200).body("operation", equalTo("resume"));

        // then it goes on where it stopped and completes, with both operations in its audit trail
        awaitStatus(sagaId, "COMPLETED").then()
                .body("paused", equalTo(false))
                .body("steps[0].attempts", hasSize(2))
                .body("operations", hasSize(2))
                .body("operations[0].operation", equalTo("pause"))
                .body("operations[0].actor", equalTo("operator"))
                .body("operations[0].reason", containsString("INC-12"))
                .body("operations[0].statusBefore", equalTo("RUNNING"))
                .body("operations[0].statusAfter", equalTo("RUNNING"))
                .body("operations[0].details.ownerAtWork", notNullValue())
                .body("operations[1].operation", equalTo("resume"))
                .body("operations[1].details.pausedBy", equalTo("operator"));
    }

    @Test
    void aPausedSagaIsNotClaimedWhenItsBackoffEndsAndAResumeCutsItsBackoffShort() throws InterruptedException {
        // given two sagas waiting out a backoff at ttAddUser, and TT answering again
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String phoneA = uniquePhone();
        String phoneB = uniquePhone();
        UUID a = givenStuckUserSync(d.hash(), d.version(), "backoffa" + phoneA, phoneA, 2, Duration.ofHours(1));
        UUID b = givenStuckUserSync(d.hash(), d.version(), "backoffb" + phoneB, phoneB, 2, Duration.ofHours(1));
        tt().register(addUser("backoffa" + phoneA).willReturn(ttAnswer("OK", "tt-" + phoneA)));
        tt().register(addUser("backoffb" + phoneB).willReturn(ttAnswer("OK", "tt-" + phoneB)));

        // when both are paused, and the backoff of the first one ends while it is paused
        operate("operator", a.toString(), "pause", PAUSE).then().statusCode(200);
        operate("operator", b.toString(), "pause", PAUSE).then().statusCode(200);
        execute("update saga set wake_at = now() - interval '1 second' where id = ?", a);
        Thread.sleep(LONG_ENOUGH_TO_HAVE_MOVED);

        // then recovery leaves it alone
        saga(a.toString()).then().body("status", equalTo("RUNNING")).body("owner", nullValue())
                .body("steps[0].attempts", hasSize(2));

        // when both are resumed
        operate("operator", a.toString(), "resume", RESUME).then().statusCode(200);
        operate("operator", b.toString(), "resume", RESUME).then().statusCode(200);

        // then both go on at once: the second does not wait out the hour left of its backoff
        awaitStatus(a.toString(), "COMPLETED").then().body("steps[0].attempts", hasSize(3));
        awaitStatus(b.toString(), "COMPLETED").then().body("steps[0].attempts", hasSize(3));
    }

    @Test
    void pausingOrResumingWhatDoesNotFitIsRefusedAndChangesNothing() {
        // given a completed saga and a saga waiting out a backoff
        String phone = uniquePhone();
        tt().register(addUser("done" + phone).willReturn(ttAnswer("OK", "tt-" + phone)));
        String completed = startUserSync("Done", phone, 10).then().statusCode(200).extract().path("sagaId");
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String waiting = givenStuckUserSync(d.hash(), d.version(), "wait" + phone, uniquePhone(), 1, Duration.ofHours(1)).toString();

        // when an operator pauses the completed saga, then it is refused: it makes no attempts
        operate("operator", completed, "pause", PAUSE).then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo("COMPLETED"))
                .body("detail", containsString("cannot be paused"))
                .body("allowed", not(hasItem("pause")));
        // when an operator resumes a saga nobody paused, then it is refused
        operate("operator", waiting, "resume", RESUME).then().statusCode(409)
                .body("status", equalTo("RUNNING"))
                .body("detail", equalTo("The saga is not paused: there is nothing to resume"));
        // when the reason is missing or blank, then it is a 400 naming the reason
        operate("operator", waiting, "pause", "{}").then().statusCode(400).body("violations[0].field", equalTo("reason"));
        operate("operator", waiting, "pause", "{\"reason\":\" \"}").then().statusCode(400);
        // when a viewer pauses, then it is forbidden; an unknown saga is not found
        operate("viewer", waiting, "pause", PAUSE).then().statusCode(403);
        operate("operator", UUID.randomUUID().toString(), "pause", PAUSE).then().statusCode(404);

        // and nothing changed: neither saga is paused, and neither has an audit entry
        saga(waiting).then().body("paused", equalTo(false)).body("operations", hasSize(0));
        saga(completed).then().body("paused", equalTo(false)).body("operations", hasSize(0));
    }

    @Test
    void aRefusedPauseOrResumeListsAsAllowedOnlyWhatTheSagaWouldAccept() {
        // given a saga waiting out a backoff after a failed attempt, on the current version of its definition
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String phone = uniquePhone();
        String sagaId = givenStuckUserSync(d.hash(), d.version(), "allowed" + phone, phone, 1, Duration.ofHours(1)).toString();

        // when an operator resumes it, not paused, then the refusal offers pause but neither resume nor a re-plan to the
        // version it already runs on
        operate("operator", sagaId, "resume", RESUME).then().statusCode(409)
                .body("allowed", equalTo(List.of("compensate", "retry", "pause", "skip")));

        // when it is paused and then paused again, then the second refusal offers resume, not pause
        operate("operator", sagaId, "pause", PAUSE).then().statusCode(200);
        operate("operator", sagaId, "pause", PAUSE).then().statusCode(409)
                .body("detail", containsString("paused already"))
                .body("allowed", equalTo(List.of("compensate", "retry", "resume", "skip")));
    }

    @Test
    void twoOperatorsPausingAtOnceArePausedOnceAndTheSecondIsToldByWhom() {
        // given a saga waiting out a backoff
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String phone = uniquePhone();
        String sagaId = givenStuckUserSync(d.hash(), d.version(), "twice" + phone, phone, 1, Duration.ofHours(1)).toString();

        // when two operators pause it at the same time
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "pause", PAUSE));
        CompletableFuture<Response> second = CompletableFuture.supplyAsync(() -> operate("operator", sagaId, "pause", PAUSE));
        List<Response> answers = List.of(first.join(), second.join());

        // then one pauses it, and the other is refused with who paused it
        assertEquals(1, answers.stream().filter(r -> r.statusCode() == 200).count());
        Response refused = answers.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow();
        assertEquals("RUNNING", refused.path("status"));
        org.hamcrest.MatcherAssert.assertThat(refused.path("detail"), containsString("paused already, by operator"));
        assertEquals(1, count("select count(*) from saga_audit where saga_id = ?::uuid and operation = 'pause'", sagaId));
    }

    @Test
    void aPauseWhoseTransactionFailsLeavesTheSagaAsItWas() {
        // given a saga waiting out a backoff, and a database that fails the transaction at its audit entry
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String phone = uniquePhone();
        String sagaId = givenStuckUserSync(d.hash(), d.version(), "crash" + phone, phone, 1, Duration.ofHours(1)).toString();
        execute("""
                create or replace function fail_pause_audit() returns trigger language plpgsql as $$
                begin
                    if new.operation = 'pause' and new.reason = 'crash here' then
                        raise exception 'the database went away during the operation';
                    end if;
                    return new;
                end $$""");
        execute("create trigger fail_pause_audit before insert on saga_audit for each row execute function fail_pause_audit()");
        try {
            // when an operator pauses it, and the transaction fails after the pause was written
            int status = operate("operator", sagaId, "pause", "{\"reason\":\"crash here\"}").statusCode();

            // then the operator is told it failed, and the saga is not paused, with no audit entry
            org.hamcrest.MatcherAssert.assertThat(status, greaterThanOrEqualTo(500));
            saga(sagaId).then().body("paused", equalTo(false)).body("operations", hasSize(0));
            assertEquals(0, count("select count(*) from saga where id = ?::uuid and paused_at is not null", sagaId));
        } finally {
            execute("drop trigger fail_pause_audit on saga_audit");
            execute("drop function fail_pause_audit()");
        }
        // and once the database works, the same pause succeeds
        operate("operator", sagaId, "pause", PAUSE).then().statusCode(200);
        saga(sagaId).then().body("paused", equalTo(true));
    }

    @Test
    void aPausedSagaWhoseInstanceDiedDuringItsAttemptWaitsForTheResumeAndIsThenReconciled() throws InterruptedException {
        // given a saga whose owner died while its TT call was in flight: an intent without outcome, a lease about to end
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String phone = uniquePhone();
        String username = "died" + phone;
        UUID id = givenStuckUserSync(d.hash(), d.version(), username, phone, 1, Duration.ofHours(1));
        execute("update saga set owner = 'dead-instance', wake_at = now() + interval '1 second' where id = ?", id);
        execute("update saga_step_attempt set outcome = 'PENDING', ended_at = null where saga_id = ?", id);
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone)));

        // when an operator pauses it (its lease still live), and the lease runs out
        operate("operator", id.toString(), "pause", PAUSE).then().statusCode(200);
        Thread.sleep(LONG_ENOUGH_TO_HAVE_MOVED);

        // then no instance takes it over while it is paused
        saga(id.toString()).then().body("owner", equalTo("dead-instance"))
                .body("steps[0].attempts", hasSize(1))
                .body("steps[0].attempts[0].outcome", equalTo("PENDING"));

        // when it is resumed, then recovery takes it over: the interrupted call is recorded unknown, reconciled, and the saga completes
        operate("operator", id.toString(), "resume", RESUME).then().statusCode(200);
        awaitStatus(id.toString(), "COMPLETED").then()
                .body("steps[0].attempts", hasSize(2))
                .body("steps[0].attempts[0].outcome", equalTo("UNKNOWN"))
                .body("steps[0].attempts[1].outcome", equalTo("SUCCEEDED"));
    }

    @Test
    void everySagaOfAnIncidentIsPausedAndResumedInBulk() {
        // given two sagas hit by one incident, and TT answering again
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String incident = "INC-" + UUID.randomUUID();
        String phoneA = uniquePhone();
        String phoneB = uniquePhone();
        UUID a = givenStuckUserSync(d.hash(), d.version(), "bulka" + phoneA, phoneA, 1, Duration.ofHours(1));
        UUID b = givenStuckUserSync(d.hash(), d.version(), "bulkb" + phoneB, phoneB, 1, Duration.ofHours(1));
        execute("update saga set last_error = ? where id in (?, ?)", "tt-add-user: HTTP 503 during " + incident, a, b);
        tt().register(addUser("bulka" + phoneA).willReturn(ttAnswer("OK", "tt-" + phoneA)));
        tt().register(addUser("bulkb" + phoneB).willReturn(ttAnswer("OK", "tt-" + phoneB)));

        // when an operator pauses every user-sync saga of the incident
        String pauseJob = bulk("pause", "{\"definition\":\"user-sync\",\"error\":\"" + incident + "\"}");

        // then both are paused, and shown so
        awaitDone(pauseJob).then().body("applied", equalTo(2)).body("refused", equalTo(0));
        as("viewer").get("/api/sagas?paused=true&error=" + incident).then().statusCode(200).body("items", hasSize(2));
        // (the stats are counted at most every few seconds)
        await().atMost(Duration.ofSeconds(15)).until(() -> as("viewer").get("/api/sagas/stats").<Integer>path("paused") >= 2);

        // when the operator resumes every paused saga of the incident
        String resumeJob = bulk("resume", "{\"paused\":true,\"error\":\"" + incident + "\"}");

        // then both go on and complete
        awaitDone(resumeJob).then().body("applied", equalTo(2));
        awaitStatus(a.toString(), "COMPLETED");
        awaitStatus(b.toString(), "COMPLETED");
        assertEquals(2, count("select count(*) from saga_audit where operation = 'pause' and saga_id in (?, ?)", a, b));
        assertEquals(2, count("select count(*) from saga_audit where operation = 'resume' and saga_id in (?, ?)", a, b));
    }

    private static String bulk(String operation, String filter) {
        return as("operator").contentType("application/json")
                .body("{\"operation\":\"" + operation + "\",\"reason\":\"TT outage " + operation + "\",\"filter\":" + filter + "}")
                .post("/api/bulk-operations").then().statusCode(202).body("total", equalTo(2)).extract().path("id");
    }

    private static Response awaitDone(String jobId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(as("viewer").get("/api/bulk-operations/" + jobId).path("status")));
        return as("viewer").get("/api/bulk-operations/" + jobId);
    }
}
