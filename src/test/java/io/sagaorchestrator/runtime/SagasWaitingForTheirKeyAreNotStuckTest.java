package io.sagaorchestrator.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A saga waiting for the saga that holds its key stands still on purpose, as a paused one does: it is counted by
 * {@code saga_waiting_for_key}, not by {@code saga_stuck}, whose alert is for sagas nobody advances.
 */
@QuarkusTest
class SagasWaitingForTheirKeyAreNotStuckTest {

    @Inject
    SagaGauges gauges;

    @Inject
    MeterRegistry metrics;

    private final UUID waiting = UUID.randomUUID();

    @AfterEach
    void removeIt() {
        execute("delete from saga where id = ?", waiting);
    }

    @Test
    void aSagaWaitingAnHourForItsKeyIsCountedAsWaitingNotAsStuck() {
        // given the gauges as they are
        gauges.refresh();
        double waitingBefore = gauge("saga.waiting.for.key");
        double stuckBefore = gauge("saga.stuck");

        // when a saga has waited an hour for the saga that holds its key
        execute("insert into saga (id, definition_name, definition_version, definition_hash, status, input, step_index,"
                + " attempt, step_states, owner, wake_at, version, last_error, live_key, key_held, updated_at) values (?,"
                + " 'user-sync', 1, 'test-hash', 'RUNNING', '{}', 0, 0, '{}', null, now(), 1, 'waits for saga x', ?, false,"
                + " now() - interval '1 hour')", waiting, "test-key:" + waiting);
        gauges.refresh();

        // then it is counted as waiting, and not as stuck
        assertEquals(waitingBefore + 1, gauge("saga.waiting.for.key"));
        assertEquals(stuckBefore, gauge("saga.stuck"));
    }

    private double gauge(String name) {
        return metrics.get(name).gauge().value();
    }
}
