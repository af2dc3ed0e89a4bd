package io.sagaorchestrator.examples.usersync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.ManualRepairRequired;
import io.sagaorchestrator.steps.StepContext;
import io.sagaorchestrator.steps.OwnershipPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ttDeleteUser with a TT user that exists after an add whose answer was lost: the step's
 * {@code onUncertainOwnership} decides whether it escalates, deletes or keeps the user.
 */
class UncertainOwnershipPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A TT that knows one user and records what it is asked to delete. */
    private static final class RecordingTt implements TtUserApi {
        final List<String> deleted = new ArrayList<>();

        @Override
        public Answer add(String authToken, NewUser user) {
            return new Answer("EXISTS", "42", null);
        }

        @Override
        public Answer delete(String authToken, String remoteUserId) {
            deleted.add(remoteUserId);
            return new Answer("OK", null, null);
        }
    }

    private final RecordingTt tt = new RecordingTt();
    /** No other saga linked user 42: its ownership stays uncertain. */
    private final TtDeleteUserAction delete = deleteWith((username, remoteUserId, sagaId) -> false);

    private TtDeleteUserAction deleteWith(LinkedUsers linked) {
        return new TtDeleteUserAction(tt, new TtAddUserAction(tt, JSON, linked, Optional.of("the-app-secret"), "the-password"),
                JSON);
    }

    private StepContext compensation(String ownership, OwnershipPolicy policy) throws Exception {
        JsonNode input = JSON.readTree("{\"name\":\"Li Lei\",\"phone\":\"13900000001\",\"roleIds\":[1],\"username\":\"lilei0001\"}");
        JsonNode forward = ownership == null ? null
                : JSON.readTree("{\"remoteUserId\":\"42\",\"remoteStatus\":\"EXISTS\",\"ownership\":\"" + ownership + "\"}");
        return new StepContext(UUID.randomUUID(), "tt-add-user", 1, input, Map.of(), forward, false, policy);
    }

    @Test
    void escalateLeavesTheUserToAPersonAsBefore() {
        // given a user of uncertain ownership and the default policy
        // when the compensation runs / then it asks for a person and deletes nothing
        ManualRepairRequired e = assertThrows(ManualRepairRequired.class,
                () -> delete.execute(compensation("UNCERTAIN", OwnershipPolicy.ESCALATE)));
        assertTrue(e.getMessage().contains("cannot be told whether this saga created it"), e.getMessage());
        assertEquals(List.of(), tt.deleted);
    }

    @Test
    void compensateDeletesTheUserAndSaysItsOwnershipWasUncertain() throws Exception {
        // given a user of uncertain ownership, compensate chosen
        // when
        JsonNode out = delete.execute(compensation("UNCERTAIN", OwnershipPolicy.COMPENSATE));

        // then
        assertEquals(List.of("42"), tt.deleted);
        assertEquals("42", out.path("deleted").asText());
        assertEquals("UNCERTAIN", out.path("ownership").asText());
    }

    @Test
    void keepLeavesTheUserAndRecordsWhy() throws Exception {
        // given a user of uncertain ownership, keep chosen
        // when
        JsonNode out = delete.execute(compensation("UNCERTAIN", OwnershipPolicy.KEEP));

        // then
        assertEquals(List.of(), tt.deleted);
        assertEquals("42", out.path("kept").asText());
        assertEquals("UNCERTAIN", out.path("ownership").asText());
        assertTrue(out.path("reason").asText().contains("onUncertainOwnership: keep"), out.toString());
    }

    @Test
    void anAddNeverAnsweredThatNowAnswersExistsFollowsThePolicyToo() throws Exception {
        // given the add's outcome was never learned: the undo re-issues it, and TT answers EXISTS
        // when compensate is chosen
        JsonNode out = delete.execute(compensation(null, OwnershipPolicy.COMPENSATE));

        // then the re-issued add's user is of uncertain ownership, and deleted as chosen
        assertEquals(List.of("42"), tt.deleted);
        assertEquals("UNCERTAIN", out.path("ownership").asText());
    }

    @Test
    void aPreExistingUserIsKeptWhateverThePolicy() throws Exception {
        // given a user TT had before the saga (EXISTS to an attempt nothing preceded)
        // when the undo runs with compensate chosen
        JsonNode out = delete.execute(compensation("PRE_EXISTING", OwnershipPolicy.COMPENSATE));

        // then the policy concerns uncertain users only
        assertEquals(List.of(), tt.deleted);
        assertEquals("42", out.path("kept").asText());
    }

    @Test
    void anExistsAfterALostAnswerForAUserAnotherSagaLinkedIsPreExistingAndKept() throws Exception {
        // given the add's outcome was never learned, and another saga (of the same person, which ended before this one
        // began: they share the key) has linked TT user 42
        TtDeleteUserAction undo = deleteWith((username, remoteUserId, sagaId) -> remoteUserId.equals("42"));

        // when the undo re-issues the add and TT answers EXISTS, with compensate chosen
        JsonNode out = undo.execute(compensation(null, OwnershipPolicy.COMPENSATE));

        // then the user predates this saga: it is kept, whatever the policy for uncertain users says
        assertEquals(List.of(), tt.deleted);
        assertEquals("42", out.path("kept").asText());
    }
}
