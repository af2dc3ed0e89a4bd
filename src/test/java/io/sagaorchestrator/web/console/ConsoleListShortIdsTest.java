package io.sagaorchestrator.web.console;

import com.github.f4b6a3.uuid.UuidCreator;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.sagaorchestrator.runtime.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static io.sagaorchestrator.testsupport.UserSyncFixture.givenStuckUserSync;
import static io.sagaorchestrator.testsupport.UserSyncFixture.uniquePhone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The saga list tells sagas apart by their short ids, even sagas started in the same millisecond. */
@QuarkusTest
class ConsoleListShortIdsTest {

    @Inject
    DefinitionRegistry definitions;

    @Test
    void twoSagasOfTheSameMomentShowDifferentShortIdsAndKeepTheirFullIdsOneClickAway() {
        // given two sagas whose ids (UUID v7) carry the same creation time and differ in their random bits only
        SagaDefinition userSync = definitions.current("user-sync").orElseThrow();
        UUID first = UuidCreator.getTimeOrderedEpoch();
        UUID second = new UUID(first.getMostSignificantBits(), UuidCreator.getTimeOrderedEpoch().getLeastSignificantBits());
        for (UUID id : new UUID[] {first, second}) {
            String phone = uniquePhone();
            givenStuckUserSync(id, userSync.hash(), userSync.version(), "twin" + phone, phone, 1, Duration.ofHours(1));
        }

        // when a viewer opens the list
        Response signedIn = ConsoleSignInTest.signIn("viewer", "viewer");
        String page = given().cookies(signedIn.getCookies()).get("/console/sagas").then().statusCode(200).extract().asString();

        // then the two rows show different short ids, each a part of its saga's id, whose whole is the link and its title
        String firstShown = shownId(page, first);
        String secondShown = shownId(page, second);
        assertNotEquals(firstShown, secondShown);
        assertTrue(first.toString().endsWith(firstShown), firstShown + " is not a part of " + first);
        assertTrue(second.toString().endsWith(secondShown), secondShown + " is not a part of " + second);
    }

    /** The text of the row's link to the saga, checking that the link and its title carry the whole id. */
    private static String shownId(String page, UUID id) {
        Matcher row = Pattern.compile("<tr data-saga-id=\"" + id + "\">\\s*<td><a href=\"([^\"]+)\" class=\"mono\" title=\"([^\"]+)\">([^<]+)</a>")
                .matcher(page);
        assertTrue(row.find(), "no row for " + id);
        assertEquals("/console/sagas/" + id, row.group(1));
        assertEquals(id.toString(), row.group(2));
        return row.group(3);
    }
}
