package io.sagaorchestrator.runtime.recovery;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An alert on a recovery loop that stopped needs a number: the age of its last successful scan. */
@QuarkusTest
class RecoveryScanAgeMetricTest {

    private static final Pattern AGE = Pattern.compile("(?m)^saga_recovery_last_successful_scan_age_seconds (\\S+)$");

    @Test
    void theAgeOfTheLastSuccessfulRecoveryScanIsExportedAndStaysBelowAFewScanIntervals() {
        // given a running service whose recovery loop scans every second (test profile)
        // when Prometheus scrapes it
        // then it reads how long ago the loop last read the saga log, in seconds, a few intervals at most
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Matcher age = AGE.matcher(as("viewer").get("/q/metrics").then().statusCode(200).extract().asString());
            assertTrue(age.find(), "saga_recovery_last_successful_scan_age_seconds is exported");
            double seconds = Double.parseDouble(age.group(1));
            assertTrue(seconds >= 0 && seconds < 5, "age " + seconds + "s");
        });
    }
}
