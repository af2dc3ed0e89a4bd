package io.sagaorchestrator.localdefaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RequiredConfigurationTest {

    @Test
    void everyMissingSettingIsNamedAtOnceWithTheEnvironmentVariableToSet() {
        // given no credentials, and definitions calling TT and the SMS gateway, of which only the gateway is configured
        Set<String> thirdParties = Set.of("sms-api", "tt-user-api");

        // when the production start checks its configuration
        List<String> missing = RequiredConfiguration.missing(false, thirdParties,
                key -> key.equals("quarkus.rest-client.sms-api.url"));

        // then the credentials and TT are named, the gateway is not
        assertEquals(2, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE"), missing.get(0));
        assertTrue(missing.get(1).contains("QUARKUS_REST_CLIENT_TT_USER_API_URL"), missing.get(1));
        assertTrue(missing.get(1).contains("quarkus.rest-client.tt-user-api.url"), missing.get(1));
    }

    @Test
    void aFullyConfiguredStartLacksNothing() {
        // given credentials and every third party configured
        // when checked, then nothing is missing
        assertEquals(List.of(), RequiredConfiguration.missing(true, Set.of("crm-api", "tt-user-api"), key -> true));
    }

    @Test
    void theThirdPartiesOfAnActionAreTheRestClientsItInjects() {
        // given the shipped actions, when their classes are read, then each names the client of its third party
        assertEquals(Set.of("tt-user-api"), RequiredConfiguration.restClientsOf(io.sagaorchestrator.usersync.TtAddUserAction.class));
        assertEquals(Set.of("sms-api"), RequiredConfiguration.restClientsOf(io.sagaorchestrator.sms.SendSmsAction.class));
        assertEquals(Set.of("crm-api"), RequiredConfiguration.restClientsOf(io.sagaorchestrator.crm.PushCrmAction.class));
    }
}
