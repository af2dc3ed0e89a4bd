package io.sagaorchestrator.examples.usersync.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.sagaorchestrator.examples.usersync.AuthToken;
import io.vertx.core.net.SocketAddress;
import io.sagaorchestrator.examples.usersync.simulator.TtSimulatorResource.Envelope;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

/** The resource's answers, called directly: the routes and JSON are Quarkus's business. */
class TtSimulatorResourceTest {

    private static final String SECRET = "s3cret";
    private static final String TOKEN = AuthToken.md5Hex(SECRET);
    private static final String ZHANGSAN = "{\"username\":\"zhangsan13800000000\",\"name\":\"张三\",\"roleIds\":[3]}";

    private static TtSimulatorResource simulator(boolean enabled, boolean failDeletes) {
        return simulator(enabled, new TtSimulatorFaults(failDeletes));
    }

    private static TtSimulatorResource simulator(boolean enabled, TtSimulatorFaults faults) {
        return new TtSimulatorResource(enabled, faults, 10_000, Optional.of(SECRET), new ObjectMapper());
    }

    private static Envelope envelope(Response response) {
        return (Envelope) response.getEntity();
    }

    @Test
    void aFullSimulatorRefusesNewUsersButStillAnswersForThoseItHolds() {
        // given a simulator that holds at most two users, and holds two
        TtSimulatorResource tt = new TtSimulatorResource(true, new TtSimulatorFaults(false), 2, Optional.of(SECRET), new ObjectMapper());
        tt.add(TOKEN, ZHANGSAN);
        tt.add(TOKEN, "{\"username\":\"lisi13800000001\"}");

        // when a third user and an existing one are added
        Response third = tt.add(TOKEN, "{\"username\":\"wangwu13800000002\"}");
        Response again = tt.add(TOKEN, ZHANGSAN);

        // then the new one is refused (a 4xx: the saga compensates rather than retries) and the known one answers EXISTS
        assertEquals(429, third.getStatus());
        assertEquals("FULL", envelope(third).status());
        assertEquals(new Envelope("EXISTS", "sim-1", null), envelope(again));
    }

    @Test
    void onlyThisMachineMayCallTheSimulator() {
        // given clients on the loopback addresses and elsewhere
        // when and then: loopback passes, anything else (or an unknown address) does not
        assertTrue(LoopbackOnlyFilter.fromThisMachine(SocketAddress.inetSocketAddress(50000, "127.0.0.1")));
        assertTrue(LoopbackOnlyFilter.fromThisMachine(SocketAddress.inetSocketAddress(50000, "::1")));
        assertFalse(LoopbackOnlyFilter.fromThisMachine(SocketAddress.inetSocketAddress(50000, "10.1.2.3")));
        assertFalse(LoopbackOnlyFilter.fromThisMachine(SocketAddress.inetSocketAddress(50000, "203.0.113.7")));
        assertFalse(LoopbackOnlyFilter.fromThisMachine(null));
    }

    @Test
    void firstAddCreatesAndSecondAnswersExistsWithTheSameId() {
        // given
        TtSimulatorResource tt = simulator(true, false);

        // when
        Response first = tt.add(TOKEN, ZHANGSAN);
        Response second = tt.add(TOKEN, ZHANGSAN);

        // then
        assertEquals(200, first.getStatus());
        assertEquals("OK", envelope(first).status());
        assertEquals("sim-1", envelope(first).data());
        assertEquals(200, second.getStatus());
        assertEquals(new Envelope("EXISTS", "sim-1", null), envelope(second));
    }

    @Test
    void addedUserCanBeLookedUpUntilDeleted() {
        // given
        TtSimulatorResource tt = simulator(true, false);
        String id = envelope(tt.add(TOKEN, ZHANGSAN)).data();

        // when
        Response found = tt.get(TOKEN, id);
        Response deleted = tt.delete(TOKEN, id);
        Response deletedAgain = tt.delete(TOKEN, id);
        Response gone = tt.get(TOKEN, id);

        // then
        assertEquals(new Envelope("OK", "zhangsan13800000000", null), envelope(found));
        assertEquals(200, deleted.getStatus());
        assertEquals(200, deletedAgain.getStatus());
        assertEquals(Envelope.of("OK"), envelope(deletedAgain));
        assertEquals(404, gone.getStatus());
        assertEquals(Envelope.of("NOT_FOUND"), envelope(gone));
    }

    @Test
    void usernameFreedByADeleteGetsANewId() {
        // given
        TtSimulatorResource tt = simulator(true, false);
        String oldId = envelope(tt.add(TOKEN, ZHANGSAN)).data();
        tt.delete(TOKEN, oldId);

        // when
        Envelope again = envelope(tt.add(TOKEN, ZHANGSAN));

        // then
        assertEquals("OK", again.status());
        assertNotEquals(oldId, again.data());
        assertEquals(404, tt.get(TOKEN, oldId).getStatus());
    }

    @Test
    void bodyWithoutUsableUsernameIsABadRequest() {
        // given
        TtSimulatorResource tt = simulator(true, false);

        for (String body : new String[] {"{\"name\":\"张三\"}", "{\"username\":\" \"}", "{\"username\":7}", "[]", "not json", "", null}) {
            // when
            Response response = tt.add(TOKEN, body);

            // then
            assertEquals(400, response.getStatus(), "body " + body);
            assertEquals("BAD_REQUEST", envelope(response).status());
            assertFalse(envelope(response).message().isBlank());
        }
    }

    @Test
    void wrongOrMissingTokenIsUnauthorized() {
        // given
        TtSimulatorResource tt = simulator(true, false);

        // when
        Response wrong = tt.add(AuthToken.md5Hex("guess"), ZHANGSAN);
        Response missing = tt.get(null, "sim-1");
        Response plainSecret = tt.delete(SECRET, "sim-1");

        // then
        assertEquals(401, wrong.getStatus());
        assertEquals(401, missing.getStatus());
        assertEquals(401, plainSecret.getStatus());
        assertEquals("UNAUTHORIZED", envelope(wrong).status());
    }

    @Test
    void withoutAConfiguredSecretEveryRequestIsUnauthorized() {
        // given
        TtSimulatorResource tt = new TtSimulatorResource(true, new TtSimulatorFaults(false), 10_000, Optional.empty(), new ObjectMapper());

        // when
        Response response = tt.add(TOKEN, ZHANGSAN);

        // then
        assertEquals(401, response.getStatus());
    }

    @Test
    void disabledSimulatorAnswersABare404ToEverything() {
        // given
        TtSimulatorResource tt = simulator(false, false);

        // when
        Response[] responses = {tt.add(TOKEN, ZHANGSAN), tt.add(null, "not json"), tt.get(TOKEN, "sim-1"), tt.delete(null, "sim-1")};

        // then
        for (Response response : responses) {
            assertEquals(404, response.getStatus());
            assertNull(response.getEntity());
        }
    }

    @Test
    void failDeletesAnswers503AndKeepsTheUser() {
        // given
        TtSimulatorResource tt = simulator(true, true);
        String id = envelope(tt.add(TOKEN, ZHANGSAN)).data();

        // when
        Response response = tt.delete(TOKEN, id);

        // then
        assertEquals(503, response.getStatus());
        assertEquals(Envelope.of("ERROR"), envelope(response));
        assertEquals(200, tt.get(TOKEN, id).getStatus());
    }

    @Test
    void concurrentAddsOfOneUsernameCreateOneUser() {
        // given
        TtSimulatorResource tt = simulator(true, false);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Set<String> created = ConcurrentHashMap.newKeySet();

        // when
        IntStream.range(0, 500).parallel().forEach(i -> {
            Envelope answer = envelope(tt.add(TOKEN, ZHANGSAN));
            ids.add(answer.data());
            if (answer.status().equals("OK")) {
                created.add(answer.data());
            }
        });

        // then
        assertEquals(1, ids.size());
        assertEquals(ids, created);
    }
}
