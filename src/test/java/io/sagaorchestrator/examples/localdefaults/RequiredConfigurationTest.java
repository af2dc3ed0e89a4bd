package io.sagaorchestrator.examples.localdefaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RequiredConfigurationTest {

    @Test
    void everyMissingSettingIsNamedAtOnceWithTheEnvironmentVariableToSet() {
        // given no credentials, and TT (called first by a loaded definition) without URL
        // when the production start checks its configuration
        List<String> missing = RequiredConfiguration.missing(false, Set.of("quarkus.rest-client.tt-user-api.url"));

        // then both are named, each with what to set
        assertEquals(2, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE"), missing.get(0));
        assertTrue(missing.get(1).contains("QUARKUS_REST_CLIENT_TT_USER_API_URL"), missing.get(1));
        assertTrue(missing.get(1).contains("quarkus.rest-client.tt-user-api.url"), missing.get(1));
    }

    @Test
    void aFullyConfiguredStartLacksNothing() {
        // given credentials and every third party called first configured
        // when checked, then nothing is missing
        assertEquals(List.of(), RequiredConfiguration.missing(true, Set.of()));
    }
}
