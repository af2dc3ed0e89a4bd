package io.sagaorchestrator.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.steps.RemoteAction;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.StepFailure;
import io.sagaorchestrator.steps.UnavailableFailure;
import io.sagaorchestrator.steps.UnknownOutcomeFailure;
import io.sagaorchestrator.steps.OwnershipPolicy;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard around a remote call: the step's timeout leaves the outcome unknown, and the steps of one third party share
 * its circuit breaker whatever their timeouts. Quarkus runs them for the guards it builds; the test profile has the
 * breaker all but off (for the consistency suite), so its test makes calls of its own with a breaker that opens after
 * 4 calls, half of them failed.
 */
@QuarkusTest
class RemoteCallsTest {

    private static final JsonNode ANSWER = JsonNodeFactory.instance.textNode("done");

    @Inject
    RemoteCalls remoteCalls;

    @Test
    void aCallPastItsTimeoutIsInterruptedAndItsOutcomeIsUnknown() {
        // given a third party that takes 10 s to answer
        RemoteAction slow = action("slow-" + UUID.randomUUID(), () -> {
            try {
                Thread.sleep(10_000);
                return ANSWER;
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        });

        // when it is called with a timeout of 200 ms
        long started = System.nanoTime();
        StepFailure failure = assertThrows(StepFailure.class, () -> remoteCalls.call(slow, Duration.ofMillis(200), context()));

        // then the call is cut at the timeout, its outcome is unknown, and the thread goes on uninterrupted
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertInstanceOf(UnknownOutcomeFailure.class, failure);
        assertEquals(slow.thirdParty() + " did not answer within 200 ms", failure.getMessage());
        assertTrue(tookMillis >= 200 && tookMillis < 2_000, "cut after " + tookMillis + " ms");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aCallThatAnswersInTimeIsNotInterruptedLater() throws InterruptedException {
        // given a third party that answers at once, called with a short timeout
        RemoteAction quick = action("quick-" + UUID.randomUUID(), () -> ANSWER);
        assertEquals(ANSWER, remoteCalls.call(quick, Duration.ofMillis(50), context()));

        // when the timeout has long passed, then nothing interrupted the thread that made the call
        Thread.sleep(200);
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void stepsWithDifferentTimeoutsShareTheirThirdPartysCircuitBreaker() {
        // given calls whose breaker looks at the last 4, and a third party whose calls all fail, 2 of them from a step
        // with a 1 s timeout and 2 from one with a 2 s timeout
        RemoteCalls calls = new RemoteCalls(64, 4, 0.5, Duration.ofMinutes(1));
        RemoteAction failing = action("failing-" + UUID.randomUUID(), () -> {
            throw new IllegalStateException("500 Internal Server Error");
        });
        for (int i = 0; i < 2; i++) {
            assertThrows(UnknownOutcomeFailure.class, () -> calls.call(failing, Duration.ofSeconds(1), context()));
            assertThrows(UnknownOutcomeFailure.class, () -> calls.call(failing, Duration.ofSeconds(2), context()));
        }

        // when either step calls it again, then the breaker is open: it was not called
        StepFailure failure = assertThrows(StepFailure.class, () -> calls.call(failing, Duration.ofSeconds(1), context()));
        assertInstanceOf(UnavailableFailure.class, failure);
        assertTrue(failure.getMessage().startsWith(failing.thirdParty() + " was not called"), failure.getMessage());
    }

    private static RemoteAction action(String thirdParty, Supplier<JsonNode> answer) {
        return new RemoteAction() {
            @Override
            public String thirdParty() {
                return thirdParty;
            }

            @Override
            public JsonNode execute(StepContext context) {
                return answer.get();
            }
        };
    }

    private static StepContext context() {
        return new StepContext(UUID.randomUUID(), "call", 1, JsonNodeFactory.instance.objectNode(), Map.of(), null, false,
                OwnershipPolicy.ESCALATE);
    }
}
