package io.sagaorchestrator.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.sagaorchestrator.store.SagaLog;
import io.sagaorchestrator.core.SagaSnapshot;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.awaitStatus;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances share one database. While this instance holds a saga, another cannot claim it; and
 * once another has taken it over (this one hung past its lease), this one's late writes are refused.
 */
@QuarkusTest
class SecondInstanceCannotAdvanceAHeldSagaTest {

    private static final String OTHER = "other-instance";

    @Inject
    SagaLog log;

    @Inject
    EntityManager em;

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void aLiveLeaseIsNotClaimedAndAStaleOwnerIsFencedOff() {
        // given a saga whose ttAddUser call is slow, held by this instance
        String phone = uniquePhone();
        String username = "slow" + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone).withFixedDelay(2500)));
        String sagaId = startUserSync("Slow", phone, 0).then().statusCode(202).extract().path("sagaId");
        UUID id = UUID.fromString(sagaId);

        // when another instance scans for work, then it does not get the held saga
        List<SagaSnapshot> claimed = QuarkusTransaction.requiringNew().call(() -> log.claimDue(OTHER, 1000, Duration.ofSeconds(1)));
        assertTrue(claimed.stream().noneMatch(s -> s.id().equals(id)), "a saga under a live lease was claimed");

        // when this instance's lease runs out while its call hangs, and the other instance claims the saga
        List<SagaSnapshot> taken = QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("update saga set wake_at = now() - interval '1 millisecond' where id = ?1")
                    .setParameter(1, id).executeUpdate();
            return log.claimDue(OTHER, 1000, Duration.ofSeconds(5));
        });
        assertTrue(taken.stream().anyMatch(s -> s.id().equals(id)), "the expired saga was not claimed");

        // then this instance's late outcome and local save are refused: nothing is saved by the stale owner
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertEquals(0, count("select count(*) from liaison_info where username = ?", username));
        assertEquals(1, count("select count(*) from saga where id = ?::uuid and owner = ?", sagaId, OTHER));

        // and when the other instance dies in turn, recovery here finishes the saga exactly once
        awaitStatus(sagaId, "COMPLETED");
        assertEquals(1, count("select count(*) from liaison_info where username = ?", username));
    }
}
