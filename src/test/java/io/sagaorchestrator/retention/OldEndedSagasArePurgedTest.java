package io.sagaorchestrator.retention;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
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
}
