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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The saga log keeps one live saga per key (a definition's {@code key:}), whatever the interleaving of starts and
 * ends: of sagas recorded at once for one key one holds it and the others wait, without an intent and never due; the
 * commit that ends the holder hands the key to the oldest waiter; an ESCALATED holder keeps it.
 */
@QuarkusTest
class OneLiveSagaPerKeyTest {

    private static final String OWNER = "one-live-saga-per-key-test";
    private static final Duration FAR = Duration.ofDays(1);

    @Inject
    SagaLog log;

    @Inject
    ObjectMapper json;

    private final String key = "test-key:" + UUID.randomUUID();

    @AfterEach
    void removeTheseSagas() {
        // nobody will run them: keep them out of the live sagas other tests count
        execute("delete from saga where live_key = ?", key);
    }

    @Test
    void ofSagasRecordedAtOnceForOneKeyOneHoldsItAndTheOthersWaitWithoutAnIntent() throws Exception {
        // given eight starts for one key at the same moment, each with the intent of its first remote call
        List<NewSaga> sagas = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sagas.add(newSaga(false, null));
        }

        // when they are recorded together
        List<Recorded> recorded = recordTogether(sagas);

        // then exactly one holds the key, with its intent, owned by its instance
        List<Integer> holders = new ArrayList<>();
        for (int i = 0; i < recorded.size(); i++) {
            if (recorded.get(i).kind() == Recorded.Kind.CREATED) {
                holders.add(i);
            }
        }
        assertEquals(1, holders.size(), "one, and only one, saga may hold a key: " + recorded);
        UUID holder = sagas.get(holders.get(0)).saga().id();
        assertEquals(1, count("select count(*) from saga_step_attempt where saga_id = ?", holder));
        assertEquals(1, count("select count(*) from saga where id = ? and key_held and owner = ?", holder, OWNER));
        // and the seven others wait for it: no intent (nothing is owed), no owner, named in their last error
        for (int i = 0; i < sagas.size(); i++) {
            if (i == holders.get(0)) {
                continue;
            }
            UUID waiter = sagas.get(i).saga().id();
            assertEquals(Recorded.Kind.WAITING, recorded.get(i).kind());
            assertEquals(holder, recorded.get(i).holder());
            assertEquals(0, count("select count(*) from saga_step_attempt where saga_id = ?", waiter));
            assertEquals(1, count("select count(*) from saga where id = ? and not key_held and owner is null"
                    + " and last_error like ?", waiter, "waits for saga " + holder + ", which holds the key " + key + ": this saga starts when%"));
        }
    }

    @Test
    void theCommitThatEndsTheHolderHandsTheKeyToTheOldestWaiterAndEscalatedKeepsIt() {
        // given a holder and two waiters, the older first
        NewSaga holder = newSaga(false, null);
        NewSaga older = newSaga(false, null);
        NewSaga younger = newSaga(false, null);
        log.record(holder);
        log.record(older);
        log.record(younger);
        keptFromRecovery(older, younger);

        // when the holder ends COMPLETED
        end(holder.saga(), SagaStatus.COMPLETED);

        // then the older waiter holds the key, ownerless and due at once, and the younger still waits
        assertEquals(1, count("select count(*) from saga where id = ? and key_held and owner is null and wake_at <= now()"
                + " and last_error is null", older.saga().id()));
        assertEquals(1, count("select count(*) from saga where id = ? and not key_held", younger.saga().id()));

        // when the older one, which now holds the key, escalates: it keeps the key, and the younger still waits
        SagaSnapshot escalated = end(older.saga(), SagaStatus.ESCALATED);
        assertEquals(1, count("select count(*) from saga where id = ? and not key_held", younger.saga().id()));

        // when an operator resolves it, the younger one is handed the key
        log.inNewTransaction((l, c) -> l.update(escalated.withStatus(SagaStatus.RESOLVED), null, null));
        assertEquals(1, count("select count(*) from saga where id = ? and key_held and wake_at <= now()", younger.saga().id()));
    }

    @Test
    void aDefinitionThatRefusesASecondStartWritesNothingForIt() {
        // given a saga holding the key
        NewSaga holder = newSaga(false, null);
        log.record(holder);

        // when a second start of a definition that refuses meanwhile is recorded
        NewSaga second = newSaga(true, "second-" + key);
        Recorded refused = log.record(second);

        // then it is refused, naming the holder, and nothing of it is written
        assertEquals(Recorded.Kind.KEY_HELD, refused.kind());
        assertEquals(holder.saga().id(), refused.holder());
        assertEquals(0, count("select count(*) from saga where id = ?", second.saga().id()));

        // and once the holder ended, the same start holds the key
        end(holder.saga(), SagaStatus.COMPENSATED);
        assertEquals(Recorded.Kind.CREATED, log.record(second).kind());
        // and sent again with its idempotency key, it is the same saga, not a refusal
        assertEquals(Recorded.Kind.DUPLICATE, log.record(newSaga(true, "second-" + key)).kind());
    }

    @Test
    void aSagaDispatchedWithoutItsKeyTakesItBeforeItsFirstStepOrWaits() {
        // given a holder, and two sagas recorded without the key (as SQL dispatch records them)
        NewSaga holder = newSaga(false, null);
        log.record(holder);
        NewSaga dispatched = keyless();
        log.record(dispatched);
        keptFromRecovery(dispatched);

        // when the dispatched saga takes the key, it waits for the holder
        UUID waitsFor = log.inNewTransaction((l, c) -> l.takeKey(dispatched.saga().id(), key));
        assertEquals(holder.saga().id(), waitsFor);
        assertEquals(1, count("select count(*) from saga where id = ? and not key_held and owner is null", dispatched.saga().id()));

        // when the holder ends, the dispatched saga is handed the key, and taking it again finds it its own
        end(holder.saga(), SagaStatus.COMPENSATED);
        assertNull(log.inNewTransaction((l, c) -> l.takeKey(dispatched.saga().id(), key)));
        assertEquals(1, count("select count(*) from saga where id = ? and key_held", dispatched.saga().id()));
    }

    /**
     * Paused, so that the service's recovery loop leaves a saga alone once it is handed the key (it would claim it at once,
     * and find no definition for it): the hand-over ignores a pause, the claim does not.
     */
    private static void keptFromRecovery(NewSaga... sagas) {
        for (NewSaga saga : sagas) {
            execute("update saga set paused_at = now(), paused_by = 'OneLiveSagaPerKeyTest' where id = ?", saga.saga().id());
        }
    }

    private SagaSnapshot end(SagaSnapshot saga, SagaStatus status) {
        SagaSnapshot current = log.inNewTransaction((l, c) -> l.load(saga.id())).orElseThrow();
        SagaSnapshot ended = current.withStatus(status);
        long version = log.inNewTransaction((l, c) -> l.update(ended, null, null));
        return ended.withVersion(version);
    }

    private List<Recorded> recordTogether(List<NewSaga> sagas) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(sagas.size());
        try {
            List<Callable<Recorded>> calls = sagas.stream().<Callable<Recorded>>map(s -> () -> log.record(s)).toList();
            List<Recorded> recorded = new ArrayList<>();
            for (Future<Recorded> f : callers.invokeAll(calls)) {
                recorded.add(f.get());
            }
            return recorded;
        } finally {
            callers.shutdown();
        }
    }

    private NewSaga newSaga(boolean refuseWhileLive, String idempotencyKey) {
        SagaSnapshot saga = snapshot();
        AttemptRecord intent = new AttemptRecord("tt-add-user", Direction.FORWARD, 1, Outcome.PENDING, OWNER, Instant.now(),
                null, null, null, json.createObjectNode().put("method", "POST"), null);
        // a lease far ahead: recovery of the running service must leave the holders alone
        return new NewSaga(saga.withAttempt(1), "client", idempotencyKey, OWNER, FAR, intent, key, refuseWhileLive);
    }

    private NewSaga keyless() {
        return new NewSaga(snapshot(), "client", null, OWNER, FAR, null);
    }

    private SagaSnapshot snapshot() {
        // one millisecond apart at least, so that "the oldest waiter" is well defined
        Instant createdAt = Instant.now();
        while (Instant.now().toEpochMilli() == createdAt.toEpochMilli()) {
            Thread.onSpinWait();
        }
        return new SagaSnapshot(UUID.randomUUID(), "user-sync", 1, "test-hash", SagaStatus.RUNNING, key,
                json.createObjectNode().put("username", key), null, 0, 0, 0, Map.of(), 1, null, createdAt, null);
    }
}
