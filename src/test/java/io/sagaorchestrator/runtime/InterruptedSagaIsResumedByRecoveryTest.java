package io.sagaorchestrator.runtime;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An instance died after committing the intent of ttAddUser and before recording its outcome: the
 * log holds a RUNNING saga with a PENDING attempt and an expired lease. Recovery takes it over.
 */
@QuarkusTest
class InterruptedSagaIsResumedByRecoveryTest {

    @Inject
    DefinitionRegistry definitions;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void anAbandonedSagaIsReconciledAndCompleted() {
        // given the log as a dead instance left it, and TT, where that instance's call did create the user
        String phone = uniquePhone();
        String username = "dead" + phone;
        UUID sagaId = UUID.randomUUID();
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, attempt, step_states, owner, wake_at, version) values (?, ?, ?, ?, 'RUNNING', ?,"
                        + " cast(? as jsonb), 0, 1, '{}', 'instance-that-died', now() - interval '1 second', 1)",
                sagaId, d.name(), d.version(), d.hash(), username,
                "{\"name\":\"Dead\",\"phone\":\"" + phone + "\",\"roleIds\":[3],\"username\":\"" + username + "\"}");
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at)"
                + " values (?, 'tt-add-user', 'FORWARD', 1, 'PENDING', 'instance-that-died', now() - interval '5 seconds')", sagaId);
        tt().register(addUser(username).willReturn(ttAnswer("EXISTS", "tt-" + phone)));

        // when recovery runs (every few hundred milliseconds in tests), then the saga completes
        awaitStatus(sagaId.toString(), "COMPLETED").then()
                .body("steps[0].attempts", hasSize(2))
                .body("steps[0].attempts[0].outcome", equalTo("UNKNOWN"))
                .body("steps[0].attempts[0].errorClass", equalTo("InterruptedAttempt"))
                .body("steps[0].attempts[1].outcome", equalTo("SUCCEEDED"))
                .body("result.remoteUserId", equalTo("tt-" + phone));
        // with one local row for the one remote user, and nothing deleted
        assertEquals(1, count("select count(*) from liaison_info where username = ? and remote_user_id = ?", username, "tt-" + phone));
        tt().verifyThat(1, postRequestedFor(urlEqualTo("/users")));
        tt().verifyThat(0, deleteRequestedFor(urlMatching("/users/.*")));
    }

    @Test
    void aSagaWhoseDefinitionThisReleaseCannotRunIsEscalatedNotRetriedForever() {
        // given an abandoned saga of a definition version this instance does not know
        UUID sagaId = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                + " step_index, attempt, step_states, owner, wake_at, version) values (?, 'user-sync', 99, 'no-such-hash', 'RUNNING',"
                + " 'orphan', '{}', 0, 0, '{}', 'instance-that-died', now() - interval '1 second', 1)", sagaId);

        // when recovery claims it, then it is escalated with the reason
        awaitStatus(sagaId.toString(), "ESCALATED");
        assertEquals(1, count("select count(*) from saga where id = ? and last_error like '%cannot be run by this release%'", sagaId));
        // and an operator can still read it, cannot retry it, and can resolve it
        io.sagaorchestrator.testsupport.UserSyncFixture.operate("operator", sagaId.toString(), "retry", "{\"reason\":\"try\"}")
                .then().statusCode(409);
        io.sagaorchestrator.testsupport.UserSyncFixture.operate("operator", sagaId.toString(), "resolve", "{\"reason\":\"cleaned up by hand\"}")
                .then().statusCode(200);
    }
}
