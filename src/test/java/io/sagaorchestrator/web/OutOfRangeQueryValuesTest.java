package io.sagaorchestrator.web;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.sagaorchestrator.testsupport.UserSyncFixture.as;
import static io.sagaorchestrator.testsupport.UserSyncFixture.count;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Query values a person could type but the service cannot use (a year past 9999, a duration of centuries, a number
 * past what an int holds) are a 400 problem naming the parameter, never a 500 with a stack trace in the log.
 */
@QuarkusTest
class OutOfRangeQueryValuesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "stuck=9223372036854775807                 | stuck",
            "stuck=-5m                                 | stuck",
            "stuck=100000d                             | stuck",
            "createdFrom=%2B1000000000-01-01T00:00:00Z | createdFrom",
            "createdTo=%2B300000-01-01T00:00:00Z       | createdTo",
            "updatedFrom=-5000-01-01T00:00:00Z         | updatedFrom",
            "updatedTo=1969-12-31T23:59:59Z            | updatedTo",
            "minAttempts=99999999999                   | minAttempts",
            "limit=99999999999                         | limit",
            "retrying=maybe                            | retrying",
            "error=%00                                 | error",
            "businessKey=a%00b                         | businessKey",
            "definition=%00                            | definition"})
    void outOfRangeSearchValuesAre400ProblemsNamingTheParameter(String query, String parameter) {
        // when a viewer lists sagas with a value the service cannot use, then the answer is a 400 problem naming it
        as("viewer").urlEncodingEnabled(false).get("/api/sagas?" + query)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(parameter));
    }

    @Test
    void aCursorPointingOutsideTheLogsTimeRangeIsAnInvalidCursor() {
        // given a hand-made cursor whose time is in the year 1000000000
        String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("+1000000000-01-01T00:00:00Z|00000000-0000-0000-0000-000000000000").getBytes(StandardCharsets.UTF_8));

        // when it is used, then it is refused as a cursor
        as("viewer").get("/api/sagas?cursor=" + cursor)
                .then().statusCode(400).contentType("application/problem+json").body("type", equalTo("/problems/invalid-cursor"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "from=%2B1000000000-01-01T00:00:00Z | from",
            "to=%2B300000-01-01T00:00:00Z       | to",
            "limit=99999999999                  | limit",
            "actor=%00                          | actor"})
    void outOfRangeAuditSearchValuesAre400Problems(String query, String parameter) {
        as("viewer").urlEncodingEnabled(false).get("/api/audit?" + query)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(parameter));
    }

    @Test
    void anUnreadableWaitIsA400ProblemAndStartsNothing() {
        // given the number of sagas in the log
        long before = count("select count(*) from saga");

        // when a client asks to wait longer than an int holds, then it gets a 400 naming wait
        as("client").contentType("application/json").body("{\"name\":\"张三\",\"phone\":\"13800000000\"}")
                .post("/api/sagas/user-sync?wait=99999999999")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("wait"));

        // and nothing was started
        assertEquals(before, count("select count(*) from saga"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"stuck\":\"9223372036854775807\"}                 | stuck",
            "{\"createdFrom\":\"+1000000000-01-01T00:00:00Z\"}  | createdFrom",
            "{\"status\":[\"ESCALATED\"],\"error\":\"\\u0000\"} | error"})
    void outOfRangeBulkFilterValuesAre400ProblemsAndCreateNoJob(String filter, String parameter) {
        // given the number of bulk jobs
        long before = count("select count(*) from bulk_operation");

        // when an operator submits a job whose filter holds a value the service cannot use
        as("operator").contentType("application/json")
                .body("{\"operation\":\"resolve\",\"reason\":\"INC-1\",\"filter\":" + filter + "}")
                .post("/api/bulk-operations")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString(parameter));

        // then no job was created
        assertEquals(before, count("select count(*) from bulk_operation"));
    }
}
