package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.execute;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttError;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** An operator finds what is stuck, why, and pages through the log without losing or repeating a saga. */
@QuarkusTest
class SagaSearchTest {

    @Inject
    DefinitionRegistry definitions;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void sagasAreFoundByStatusBusinessKeyAndErrorText() {
        // given a completed saga and a compensated one whose TT call was rejected
        String okPhone = uniquePhone();
        tt().register(addUser("find" + okPhone).willReturn(ttAnswer("OK", "tt-" + okPhone)));
        String completed = startUserSync("Find", okPhone, 10).then().statusCode(200).extract().path("sagaId");
        String badPhone = uniquePhone();
        tt().register(addUser("reject" + badPhone).willReturn(ttError(422)));
        String compensated = startUserSync("Reject", badPhone, 10).then().statusCode(409).extract().path("sagaId");

        // then the phone and the username each find their saga
        as("viewer").get("/api/sagas?businessKey=" + okPhone).then().statusCode(200)
                .body("items.sagaId", equalTo(List.of(completed)));
        as("viewer").get("/api/sagas?businessKey=find" + okPhone).then().body("items.sagaId", equalTo(List.of(completed)));
        // and the status filter (several at once) and the error text narrow the list
        as("viewer").get("/api/sagas?status=COMPENSATED&status=ESCALATED&error=HTTP 422&limit=500").then().statusCode(200)
                .body("items.sagaId", hasItem(compensated))
                .body("items.status", everyItem(org.hamcrest.Matchers.oneOf("COMPENSATED", "ESCALATED")))
                .body("items.lastError", everyItem(containsString("HTTP 422")));
        as("viewer").get("/api/sagas?definition=user-sync&status=completed&businessKey=" + badPhone).then()
                .body("items", hasSize(0));
    }

    @Test
    void stuckAndRetryingSagasAreFoundAsSuch() {
        // given a saga that has not moved for an hour, waiting for its next try
        String phone = uniquePhone();
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        UUID id = givenStuckUserSync(d.hash(), d.version(), "old" + phone, phone, 2, Duration.ofHours(1));
        execute("update saga set updated_at = now() - interval '1 hour' where id = ?", id);

        // then "stuck for 30 minutes" and "retrying with at least 2 attempts" both list it, with its next attempt time
        as("viewer").get("/api/sagas?stuck=30m&businessKey=" + phone).then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].sagaId", equalTo(id.toString()))
                .body("items[0].nextAttemptAt", notNullValue())
                .body("items[0].leaseExpiresAt", nullValue());
        as("viewer").get("/api/sagas?minAttempts=2&retrying=true&businessKey=" + phone).then().body("items", hasSize(1));
        as("viewer").get("/api/sagas?minAttempts=3&businessKey=" + phone).then().body("items", hasSize(0));
        as("viewer").get("/api/sagas?stuck=2h&businessKey=" + phone).then().body("items", hasSize(0));
        // and the stats count it among the live ones
        as("viewer").get("/api/sagas/stats").then().statusCode(200)
                .body("byStatus.RUNNING", greaterThanOrEqualTo(1))
                .body("byDefinition", hasKey("user-sync"))
                .body("retrying", greaterThanOrEqualTo(1))
                .body("oldestLive.sagaId", notNullValue())
                .body("oldestLiveAgeSeconds", greaterThanOrEqualTo(0));
        execute("update saga set status = 'RESOLVED', wake_at = null where id = ?", id);
    }

    @Test
    void anErrorTextFindsTheSagasStillTryingAndTheEndedOnesAlike() {
        // given the same error on a saga still retrying and on one that ended
        String error = "tt-add-user: UnknownOutcomeFailure: gateway " + UUID.randomUUID().toString().substring(0, 8);
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        String livePhone = uniquePhone();
        String endedPhone = uniquePhone();
        UUID live = givenStuckUserSync(d.hash(), d.version(), "live" + livePhone, livePhone, 1, Duration.ofHours(1));
        UUID ended = givenStuckUserSync(d.hash(), d.version(), "ended" + endedPhone, endedPhone, 1, Duration.ofHours(1));
        execute("update saga set last_error = ? where id in (?, ?)", error, live, ended);
        execute("update saga set status = 'COMPENSATED', wake_at = null where id = ?", ended);

        // when a viewer searches for a part of that error, then both are listed, newest first
        as("viewer").get("/api/sagas?error=" + error.substring(error.length() - 12)).then().statusCode(200)
                .body("items.sagaId", equalTo(List.of(ended.toString(), live.toString())));
        // and a status narrows it to the one still trying
        as("viewer").get("/api/sagas?status=RUNNING&error=" + error.substring(error.length() - 12)).then().statusCode(200)
                .body("items.sagaId", equalTo(List.of(live.toString())));
        execute("update saga set status = 'RESOLVED', wake_at = null where id = ?", live);
    }

    @Test
    void cursorPagesAreNewestFirstAndNeverRepeatOrSkip() {
        // given sagas created at known times
        String marker = "page" + UUID.randomUUID().toString().substring(0, 8);
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        Instant base = Instant.parse("2001-01-01T00:00:00Z");
        for (int i = 0; i < 7; i++) {
            execute("insert into saga (id, definition_name, definition_version, definition_hash, status, business_key, input,"
                            + " step_index, version, created_at) values (?, 'user-sync', ?, ?, 'COMPLETED', ?, '{}', 2, 2, ?)",
                    UUID.randomUUID(), d.version(), d.hash(), marker, java.sql.Timestamp.from(base.plusSeconds(i % 3)));
        }

        // when an operator reads them three at a time
        List<String> seen = new ArrayList<>();
        List<String> created = new ArrayList<>();
        String cursor = null;
        do {
            var page = as("viewer").get("/api/sagas?limit=3&businessKey=" + marker + (cursor == null ? "" : "&cursor=" + cursor))
                    .then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.sagaId"));
            created.addAll(page.getList("items.createdAt"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);

        // then each saga came once, newest first
        assertEquals(7, seen.size());
        assertEquals(7, seen.stream().distinct().count());
        List<String> sorted = new ArrayList<>(created);
        sorted.sort(java.util.Comparator.reverseOrder());
        assertEquals(sorted, created);
    }

    @Test
    void badSearchParametersAreProblems() {
        as("viewer").get("/api/sagas?status=FINISHED").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("FINISHED"));
        as("viewer").get("/api/sagas?stuck=forever").then().statusCode(400).body("detail", containsString("not a duration"));
        as("viewer").get("/api/sagas?cursor=garbage").then().statusCode(400).body("type", equalTo("/problems/invalid-cursor"));
        as("viewer").get("/api/sagas?limit=0").then().statusCode(400);
        as("viewer").get("/api/sagas?createdFrom=yesterday").then().statusCode(is(400));
    }

    @Test
    void definitionsAreListedWithVersionAndHash() {
        SagaDefinition d = definitions.current("user-sync").orElseThrow();
        as("viewer").get("/api/definitions").then().statusCode(200)
                .body("find { it.name == 'user-sync' }.version", equalTo(d.version()))
                .body("find { it.name == 'user-sync' }.hash", equalTo(d.hash()))
                .body("find { it.name == 'user-sync' }.steps.name", equalTo(List.of("tt-add-user", "save-liaison")))
                .body("find { it.name == 'user-sync' }.steps[0].compensation", equalTo("ttDeleteUser"));
    }
}
