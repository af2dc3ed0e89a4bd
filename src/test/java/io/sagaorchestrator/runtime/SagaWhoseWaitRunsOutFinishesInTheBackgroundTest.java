package io.sagaorchestrator.runtime;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.sagaorchestrator.testsupport.UserSyncFixture.addUser;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static io.sagaorchestrator.testsupport.UserSyncFixture.resetTt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.saga;
import static io.sagaorchestrator.testsupport.UserSyncFixture.startUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.tt;
import static io.sagaorchestrator.testsupport.UserSyncFixture.ttAnswer;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A saga runs on the thread of its start request while the caller waits. When the wait runs out
 * during a step, the step is finished and the rest of the saga goes on at once on the engine's own
 * threads: it does not wait for its lease to lapse and recovery to find it.
 */
@QuarkusTest
class SagaWhoseWaitRunsOutFinishesInTheBackgroundTest {

    @BeforeEach
    void forgetEarlierTests() {
        resetTt();
    }

    @Test
    void theRestOfTheSagaRunsRightAfterTheAnswer() {
        // given a TT whose add takes longer than the caller will wait
        String phone = uniquePhone();
        String username = "late" + phone;
        tt().register(addUser(username).willReturn(ttAnswer("OK", "tt-" + phone).withFixedDelay(1500)));

        // when the caller waits one second
        Response answer = startUserSync("Late", phone, 1);

        // then it is answered once the add is done, with the saga still going (or just completed)
        assertTrue(answer.statusCode() == 202 || answer.statusCode() == 200, answer.asString());
        String sagaId = answer.path("sagaId");

        // and the local step follows right after the add's answer (0.5 s after ours), before the saga's lease (3 s in
        // tests, from its start) could lapse and recovery find it; the slack is for a loaded machine
        await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(20))
                .until(() -> "COMPLETED".equals(saga(sagaId).path("status")));
        assertEquals(1, count("select count(*) from liaison_info where username = ?", username));
    }
}
