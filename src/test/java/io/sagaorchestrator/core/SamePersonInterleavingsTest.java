package io.sagaorchestrator.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sagaorchestrator.steps.RejectedFailure;
import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.SagaDefinition;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving of two user-sync sagas for one person, in memory: each saga's moves are decided by the engine's
 * own transition core ({@link SagaTransitions}) on the shipped definition, against a TT that keeps one user per
 * username and a local table with a unique phone. The moves are ttAddUser (OK: created, EXISTS: adopted), the local
 * save (or its refusal on the phone the other saga took) and ttDeleteUser (deletes only a user the saga created).
 *
 * <p>Side by side, some interleaving leaves a liaison pointing at a deleted TT user: one saga adopts the user, saves
 * first, and the other, which created it, fails its save and deletes it. With the key the shipped definitions
 * declare, the second saga makes no move until the first has ended, and no interleaving breaks the promise.
 */
class SamePersonInterleavingsTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final SagaDefinition USER_SYNC = shipped("user-sync.yaml");

    /** TT and the local table, as both sagas see them. */
    private record World(Map<String, Boolean> ttUsers, Map<String, String> liaisonByPhone, int nextId) {
        World with(Map<String, Boolean> tt, Map<String, String> liaisons, int next) {
            return new World(tt, liaisons, next);
        }
    }

    /** One saga as the core left it. */
    private record Saga(SagaSnapshot snapshot) {
        boolean ended() {
            return snapshot.status().isTerminal();
        }
    }

    @Test
    void theDefinitionsDeclareTheKeyBothUserSyncsShare() {
        assertEquals("tt-user:${input.username}", USER_SYNC.liveKey().template().text());
        assertEquals(USER_SYNC.liveKey().template().text(), shipped("user-sync-outbox.yaml").liveKey().template().text());
    }

    @Test
    void sideBySideSomeInterleavingLinksADeletedUser() {
        // given two sagas for one person that may move in any order
        // when every interleaving is played out
        List<String> broken = new ArrayList<>();
        int played = explore(start(), start(), new World(Map.of(), Map.of(), 1), false, "", broken);

        // then one of them, at least, leaves a liaison linked to a TT user that is gone: what the key is for
        assertTrue(played > 2, "only " + played + " interleavings");
        assertFalse(broken.isEmpty(), "no interleaving of " + played + " broke the promise");
        assertTrue(broken.stream().anyMatch(b -> b.contains("liaison links deleted TT user")), broken.toString());
    }

    @Test
    void withTheKeyEveryInterleavingLeavesTtAndTheTableAgreeing() {
        // given two sagas for one person, the second waiting for the first's key: it moves only once the first has ended
        // when every interleaving is played out, each of the two starting first
        List<String> broken = new ArrayList<>();
        int played = explore(start(), start(), new World(Map.of(), Map.of(), 1), true, "", broken);

        // then no end leaves a dangling liaison or a user nobody links
        assertTrue(played >= 2, "only " + played + " interleavings");
        assertEquals(List.of(), broken);
    }

    /**
     * Plays out every order of the two sagas' moves from here; returns how many ends it reached, and adds to
     * {@code broken} each end that breaks the promise, with the moves that led to it.
     *
     * @param oneAtATime the second saga moves only once the first has ended (the key); either may be the first
     */
    private static int explore(Saga a, Saga b, World world, boolean oneAtATime, String path, List<String> broken) {
        if (a.ended() && b.ended()) {
            String fault = fault(world);
            if (fault != null) {
                broken.add(fault + " after " + path);
            }
            return 1;
        }
        int played = 0;
        boolean aMay = !a.ended() && (!oneAtATime || b.ended() || path.isEmpty() || path.startsWith("A"));
        boolean bMay = !b.ended() && (!oneAtATime || a.ended() || path.isEmpty() || path.startsWith("B"));
        if (aMay) {
            Move m = move(a, world);
            played += explore(m.saga(), b, m.world(), oneAtATime, path + "A:" + m.what() + " ", broken);
        }
        if (bMay) {
            Move m = move(b, world);
            played += explore(a, m.saga(), m.world(), oneAtATime, path + "B:" + m.what() + " ", broken);
        }
        return played;
    }

    private record Move(Saga saga, World world, String what) {
    }

    /** The saga's next move, and what the core decides of it. */
    private static Move move(Saga saga, World world) {
        SagaSnapshot s = saga.snapshot();
        String step = USER_SYNC.step(s.stepIndex()).name();
        boolean forward = SagaTransitions.direction(s) == Direction.FORWARD;
        Map<String, Boolean> tt = new HashMap<>(world.ttUsers());
        Map<String, String> liaisons = new HashMap<>(world.liaisonByPhone());
        int next = world.nextId();
        String what;
        Decision decision;
        if (forward && step.equals("tt-add-user")) {
            String live = tt.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).findFirst().orElse(null);
            String id = live != null ? live : "tt-" + next++;
            tt.put(id, true);
            String ownership = live != null ? "PRE_EXISTING" : "CREATED";
            what = "add=" + (live != null ? "EXISTS " : "OK ") + id;
            decision = SagaTransitions.decide(USER_SYNC, s, new Event.StepSucceeded(JSON.objectNode().put("remoteUserId", id)
                    .put("remoteStatus", live != null ? "EXISTS" : "OK").put("ownership", ownership)));
        } else if (forward) {
            String id = s.stepState("tt-add-user").output().path("remoteUserId").asText();
            if (liaisons.containsKey("phone")) {
                what = "save refused";
                SagaSnapshot failed = SagaTransitions.decide(USER_SYNC, s, new Event.AttemptFailed(new RejectedFailure("phone taken"))).next();
                decision = SagaTransitions.decide(USER_SYNC, failed, new Event.StepFailed(new RejectedFailure("phone taken"), 0.5));
            } else {
                liaisons.put("phone", id);
                what = "save " + id;
                decision = SagaTransitions.decide(USER_SYNC, s, new Event.StepSucceeded(JSON.objectNode().put("liaisonId", 1)));
            }
        } else {
            JsonNode added = s.stepState(step).output();
            boolean created = "CREATED".equals(added.path("ownership").asText());
            String id = added.path("remoteUserId").asText();
            if (created) {
                tt.put(id, false);
            }
            what = (created ? "delete " : "keep ") + id;
            decision = SagaTransitions.decide(USER_SYNC, s, new Event.StepSucceeded(JSON.objectNode()));
        }
        return new Move(new Saga(decision.next()), world.with(tt, liaisons, next), what);
    }

    /** What is wrong with the world once both sagas ended; null when TT and the table agree. */
    private static String fault(World world) {
        String linked = world.liaisonByPhone().get("phone");
        if (linked != null && !Boolean.TRUE.equals(world.ttUsers().get(linked))) {
            return "liaison links deleted TT user " + linked;
        }
        return world.ttUsers().entrySet().stream().filter(e -> e.getValue() && !e.getKey().equals(linked))
                .map(e -> "TT user " + e.getKey() + " is linked by no liaison").findFirst().orElse(null);
    }

    private static Saga start() {
        SagaSnapshot s = new SagaSnapshot(UUID.randomUUID(), USER_SYNC.name(), USER_SYNC.version(), USER_SYNC.hash(),
                SagaStatus.RUNNING, "zhangsan13800000000", JSON.objectNode().put("username", "zhangsan13800000000"), null, 0, 0, 0,
                Map.of(), 1, null, Instant.EPOCH, null);
        return new Saga(s);
    }

    private static SagaDefinition shipped(String file) {
        try {
            return new DefinitionParser(NamedActions.SHIPPED).parse(file, Files.readString(Path.of("saga-definitions", file)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
