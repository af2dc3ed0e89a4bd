package io.sagaorchestrator.store;

import io.sagaorchestrator.core.AttemptRecord;
import io.sagaorchestrator.core.Direction;
import io.sagaorchestrator.core.Outcome;
import io.sagaorchestrator.core.SagaSnapshot;
import io.sagaorchestrator.core.SagaStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * New sagas started at the same moment, each recorded in its own commit on its caller's thread: each
 * caller gets its own saga with its intent, a refusal for a reused key, and an error only for the
 * saga the database refuses.
 */
@QuarkusTest
class SagasStartedTogetherAreEachRecordedOnceTest {

    private static final int CALLERS = 24;
    private static final String OWNER = "share-a-commit-test";

    @Inject
    SagaLog log;

    @Inject
    ObjectMapper json;

    @AfterEach
    void removeTheseSagas() {
        // nobody will run them: keep them out of the live sagas other tests count
        execute("delete from saga where owner = ?", OWNER);
    }

    @Test
    void eachCallerGetsItsOwnOutcomeWhenSagasStartTogether() throws Exception {
        // given 24 callers at once: one whose saga the database refuses (a NUL character in a text
        // column), two that share an idempotency key, and the others plain
        String run = UUID.randomUUID().toString();
        List<NewSaga> sagas = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            String businessKey = i == 7 ? "bad\u0000key" : "together-" + run + "-" + i;
            String key = i == 3 || i == 4 ? "shared-" + run : null;
            sagas.add(newSaga(businessKey, key));
        }

        // when they all record their saga at the same moment
        List<Future<Boolean>> outcomes = startTogether(sagas);

        // then the refused saga fails alone, and nothing of it is written
        ExecutionException refused = assertThrows(ExecutionException.class, () -> outcomes.get(7).get());
        assertInstanceOf(SagaRefusedException.class, refused.getCause());
        assertEquals(0, count("select count(*) from saga where id = ?::uuid", sagas.get(7).saga().id().toString()));

        // and exactly one of the two sharing a key is recorded
        assertTrue(outcomes.get(3).get() ^ outcomes.get(4).get(), "one, and only one, saga may hold a key");

        // and every other saga is in the log with the intent of its first call
        for (int i = 0; i < CALLERS; i++) {
            if (i == 7 || i == 3 || i == 4) {
                continue;
            }
            assertTrue(outcomes.get(i).get(), "saga " + i + " was not recorded");
            String id = sagas.get(i).saga().id().toString();
            assertEquals(1, count("select count(*) from saga where id = ?::uuid and status = 'RUNNING'", id));
            assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ?::uuid and outcome = 'PENDING'", id));
        }
        assertEquals(CALLERS - 2, count("select count(*) from saga where business_key like ?", "together-" + run + "-%"));
    }

    @Test
    void aKeyAlreadyTakenIsRefusedWithoutWritingAnything() {
        // given a saga recorded with a key
        String key = "taken-" + UUID.randomUUID();
        assertEquals(Recorded.Kind.CREATED, log.record(newSaga("first-" + key, key)).kind());

        // when another saga with the same key is recorded, then it is refused and nothing of it is written
        NewSaga second = newSaga("second-" + key, key);
        assertEquals(Recorded.Kind.DUPLICATE, log.record(second).kind());
        assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ?::uuid", second.saga().id().toString()));
    }

    private List<Future<Boolean>> startTogether(List<NewSaga> sagas) {
        ExecutorService callers = Executors.newFixedThreadPool(sagas.size());
        try {
            List<Callable<Boolean>> calls = sagas.stream().<Callable<Boolean>>map(s -> () -> log.record(s).kind() == Recorded.Kind.CREATED).toList();
            return callers.invokeAll(calls);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            callers.shutdown();
        }
    }

    private NewSaga newSaga(String businessKey, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        SagaSnapshot saga = new SagaSnapshot(id, "user-sync", 1, "test-hash", SagaStatus.RUNNING, businessKey,
                json.createObjectNode().put("name", businessKey), null, 0, 1, 0, Map.of(), 1, null, Instant.now(), null);
        AttemptRecord intent = new AttemptRecord("tt-add-user", Direction.FORWARD, 1, Outcome.PENDING, "test", Instant.now(),
                null, null, null, json.createObjectNode().put("method", "POST"), null);
        // a lease far ahead: recovery of the running service must leave these sagas alone
        return new NewSaga(saga, "client", idempotencyKey, OWNER, Duration.ofDays(1), intent);
    }
}
