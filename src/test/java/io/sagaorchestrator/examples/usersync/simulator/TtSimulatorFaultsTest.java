package io.sagaorchestrator.examples.usersync.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.sagaorchestrator.examples.usersync.AuthToken;
import io.sagaorchestrator.examples.usersync.simulator.TtSimulatorFaults.Faults;
import io.sagaorchestrator.examples.usersync.simulator.TtSimulatorResource.Envelope;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

/** The TT simulator's faults, switched while it runs through /tt-simulator/faults; resources called directly. */
class TtSimulatorFaultsTest {

    private static final String SECRET = "s3cret";
    private static final String TOKEN = AuthToken.md5Hex(SECRET);
    private static final String ZHANGSAN = "{\"username\":\"zhangsan13800000000\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TtSimulatorFaults faults = new TtSimulatorFaults(false);
    private final TtSimulatorFaultsResource switches = new TtSimulatorFaultsResource(true, faults, JSON);
    private final TtSimulatorResource tt = new TtSimulatorResource(true, faults, 10_000, Optional.of(SECRET), JSON);

    private static Envelope envelope(Response response) {
        return (Envelope) response.getEntity();
    }

    private Response switchTo(String body) {
        return switches.switchTo(body);
    }

    @Test
    void failingAddsCreateNobodyUntilSwitchedOff() {
        // given TT's adds switched to fail
        assertEquals(200, switchTo("{\"failAdds\":true}").getStatus());

        // when a user is added, then TT answers 503 and holds nobody
        Response failed = tt.add(TOKEN, ZHANGSAN);
        assertEquals(503, failed.getStatus());
        assertEquals(Envelope.of("ERROR"), envelope(failed));

        // when the fault is switched off and the user is added again, then it is created afresh
        assertEquals(200, switchTo("{}").getStatus());
        Response added = tt.add(TOKEN, ZHANGSAN);
        assertEquals("OK", envelope(added).status());
    }

    @Test
    void failingDeletesKeepTheUserUntilSwitchedOff() {
        // given a user, and deletes switched to fail
        String id = envelope(tt.add(TOKEN, ZHANGSAN)).data();
        switchTo("{\"failDeletes\":true}");

        // when it is deleted, then TT answers 503 and keeps it
        assertEquals(503, tt.delete(TOKEN, id).getStatus());
        assertEquals(200, tt.get(TOKEN, id).getStatus());

        // when deletes work again, then the delete goes through
        switchTo("{\"failDeletes\":false}");
        assertEquals(200, tt.delete(TOKEN, id).getStatus());
        assertEquals(404, tt.get(TOKEN, id).getStatus());
    }

    @Test
    void aLostAnswerIsCarriedOutAndOnlyTheCountedNumberAreLost() {
        // given the next answer switched to be lost
        switchTo("{\"loseAnswers\":1}");

        // when a user is added twice
        assertThrows(TtSimulatorResource.LostAnswer.class, () -> tt.add(TOKEN, ZHANGSAN));
        Response again = tt.add(TOKEN, ZHANGSAN);

        // then the first add was carried out although its answer was lost: the second finds the user, and is answered
        assertEquals(new Envelope("EXISTS", "sim-1", null), envelope(again));
        assertEquals(new Faults(false, false, 0, 0), switches.current().getEntity());
    }

    @Test
    void aSlowTtAnswersAfterTheDelay() {
        // given TT switched to be slow
        switchTo("{\"delayMs\":300}");

        // when a user is added
        long started = System.nanoTime();
        Response added = tt.add(TOKEN, ZHANGSAN);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        // then it is created, after the delay
        assertEquals("OK", envelope(added).status());
        assertTrue(tookMs >= 300, "answered after " + tookMs + " ms");
    }

    @Test
    void aSwitchSaysWhatHoldsNowAndWhatItLeavesOutIsOff() {
        // given every fault on
        switchTo("{\"failAdds\":true,\"failDeletes\":true,\"delayMs\":5,\"loseAnswers\":3}");

        // when only slowness is switched
        Response answer = switchTo("{\"delayMs\":10}");

        // then the answer and GET show that alone
        assertEquals(new Faults(false, false, 10, 0), answer.getEntity());
        assertEquals(new Faults(false, false, 10, 0), switches.current().getEntity());
    }

    @Test
    void aBadSwitchIsRefusedNamingWhatIsWrongAndChangesNothing() {
        // given adds failing
        switchTo("{\"failAdds\":true}");

        for (Map.Entry<String, String> bad : Map.of(
                "{\"failAdd\":true}", "'failAdd' is not a fault",
                "{\"delayMs\":-1}", "delayMs must be between 0 and 60000",
                "{\"delayMs\":600000}", "delayMs must be between 0 and 60000",
                "{\"loseAnswers\":-2}", "loseAnswers must be between 0 and 1000",
                "{\"failAdds\":\"maybe\"}", "not a JSON object of faults",
                "", "a JSON object is required").entrySet()) {
            // when the switch is bad
            Response refused = switchTo(bad.getKey());

            // then it is a 400 problem that says why, and adds still fail
            assertEquals(400, refused.getStatus(), bad.getKey());
            assertEquals("application/problem+json", refused.getMediaType().toString());
            String detail = String.valueOf(((Map<?, ?>) refused.getEntity()).get("detail"));
            assertTrue(detail.contains(bad.getValue()), bad.getKey() + " -> " + detail);
            assertEquals(new Faults(true, false, 0, 0), faults.current());
        }
    }

    @Test
    void theFaultsStartWithTheConfiguredFailingDeletes() {
        // given a simulator started with tt.simulator.fail-deletes=true, when its faults are read
        Response current = new TtSimulatorFaultsResource(true, new TtSimulatorFaults(true), JSON).current();

        // then deletes fail and nothing else does
        assertEquals(new Faults(false, true, 0, 0), current.getEntity());
    }

    @Test
    void aDisabledSimulatorHasNoFaultsToSwitch() {
        // given the simulator off (a production start), when its faults are read or switched
        TtSimulatorFaultsResource off = new TtSimulatorFaultsResource(false, faults, JSON);
        Response read = off.current();
        Response switched = off.switchTo("{\"failAdds\":true}");

        // then both answer a bare 404, as if absent, and nothing is switched
        assertEquals(404, read.getStatus());
        assertNull(read.getEntity());
        assertEquals(404, switched.getStatus());
        assertEquals(new Faults(false, false, 0, 0), faults.current());
    }
}
