package io.sagaorchestrator.store;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log stays bounded: old ended sagas go, with their history; escalated and recent ones stay. */
@QuarkusTest
class OldEndedSagasArePurgedTest {

    @Inject
    Retention retention;

    @Inject
    DefinitionRegistry definitions;

    private UUID givenSaga(String status, int daysAgo) {
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        UUID id = UUID.randomUUID();
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                        + " step_index, version, created_at) values (?, 'user-sync', ?, ?, ?, 'retention', '{}', 0, 2,"
                        + " now() - ? * interval '1 day')", id, d.version(), d.hash(), status, daysAgo);
        execute("insert into saga_step_attempt (saga_id, step_name, direction, attempt, outcome, instance, started_at)"
                + " values (?, 'tt-add-user', 'FORWARD', 1, 'SUCCEEDED', 'x', now())", id);
        return id;
    }

    @Test
    void endedSagasOlderThanTheMaximumAgeAreDeletedWithTheirAttempts() {
        // given old and recent sagas in every state (the maximum age is 30 days)
        UUID oldCompleted = givenSaga("COMPLETED", 40);
        UUID oldCompensated = givenSaga("COMPENSATED", 40);
        UUID oldResolved = givenSaga("RESOLVED", 40);
        UUID oldEscalated = givenSaga("ESCALATED", 40);
        UUID oldRunning = givenSaga("RUNNING", 40);
        UUID recentCompleted = givenSaga("COMPLETED", 2);

        // when retention runs
        long deleted = retention.purge();

        // then the old ended ones are gone with their attempts, and the others stay
        assertTrue(deleted >= 3, "deleted " + deleted);
        for (UUID gone : new UUID[] {oldCompleted, oldCompensated, oldResolved}) {
            assertEquals(0, count("select count(*) from saga where id = ?", gone));
            assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ?", gone));
        }
        for (UUID kept : new UUID[] {oldEscalated, oldRunning, recentCompleted}) {
            assertEquals(1, count("select count(*) from saga where id = ?", kept));
        }
        execute("update saga set status = 'RESOLVED' where id = ?", oldRunning);
    }

    private long givenAuditEntry(UUID sagaId, int daysAgo) {
        execute("insert into saga_audit (saga_id, operation, actor, reason, status_before, status_after, at)"
                + " values (?, 'resolve', 'operator', 'repaired in TT by hand', 'ESCALATED', 'RESOLVED', now() - ? * interval '1 day')",
                sagaId, daysAgo);
        return count("select max(id) from saga_audit where saga_id = ?", sagaId);
    }

    @Test
    void auditEntriesOutliveTheirSagaUntilTheAuditRetention() {
        // given a saga resolved by hand that is past the sagas' maximum age (30 days, the audit's is 400),
        // and one so old that its audit entry is past the audit's too
        UUID resolved = givenSaga("RESOLVED", 40);
        long kept = givenAuditEntry(resolved, 39);
        UUID ancient = givenSaga("RESOLVED", 500);
        long expired = givenAuditEntry(ancient, 450);

        // when retention runs
        retention.purge();

        // then both sagas are gone, the recent audit entry stays with its saga id, and the expired one is gone
        assertEquals(0, count("select count(*) from saga where id in (?, ?)", resolved, ancient));
        assertEquals(1, count("select count(*) from saga_audit where id = ? and saga_id = ?", kept, resolved));
        assertEquals(0, count("select count(*) from saga_audit where id = ?", expired));
        // and the audit API still shows the entry of the deleted saga
        as("viewer").get("/api/audit?sagaId=" + resolved).then().statusCode(200)
                .body("", hasSize(1))
                .body("[0].sagaId", equalTo(resolved.toString()))
                .body("[0].reason", equalTo("repaired in TT by hand"));
        // and the saga's detail says it was deleted and where its audit trail is
        as("viewer").get("/api/sagas/" + resolved).then().statusCode(404).contentType("application/problem+json")
                .body("type", containsString("saga-not-found"))
                .body("detail", containsString("deleted by retention"))
                .body("audit", equalTo("/api/audit?sagaId=" + resolved));
    }
}
