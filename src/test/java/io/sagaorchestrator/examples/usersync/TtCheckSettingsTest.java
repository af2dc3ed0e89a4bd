package io.sagaorchestrator.examples.usersync;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** user-sync's check of its undo calls TT with TT's own settings: nobody configures TT twice. */
class TtCheckSettingsTest {

    @Test
    void theCheckUsesTtsConfiguredUrlAndTheTokenOfItsSecret() {
        // given TT configured as for the action beans
        Map<String, String> config = Map.of("quarkus.rest-client.tt-user-api.url", "https://tt.example.com", "tt.app-secret", "s3cret");

        // when the check's settings are derived
        Map<String, String> derived = TtCheckSettings.derived(key -> Optional.ofNullable(config.get(key)), Map.of());

        // then they name the same TT, with the authToken the action beans send
        assertEquals(Map.of(TtCheckSettings.URL, "https://tt.example.com", TtCheckSettings.TOKEN, AuthToken.md5Hex("s3cret")), derived);
    }

    @Test
    void inDevModeTheCheckFollowsTheSimulatorAndItsDemoSecret() {
        // given nothing configured, and the simulator supplied by the local defaults
        Map<String, String> supplied = Map.of("quarkus.rest-client.tt-user-api.url", "http://localhost:8080/tt-simulator",
                "tt.app-secret", "local-demo-secret");

        // when the check's settings are derived, then they follow the simulator
        assertEquals(Map.of(TtCheckSettings.URL, "http://localhost:8080/tt-simulator",
                        TtCheckSettings.TOKEN, AuthToken.md5Hex("local-demo-secret")),
                TtCheckSettings.derived(key -> Optional.empty(), supplied));
    }

    @Test
    void aProductionStartWithoutTtDerivesNothingSoTheRequiredCheckNamesWhatIsMissing() {
        assertEquals(Map.of(), TtCheckSettings.derived(key -> Optional.empty(), Map.of()));
    }

    @Test
    void aStartLackingTtIsToldToSetTtNotTheSettingsDerivedFromIt() {
        assertEquals(java.util.Set.of("quarkus.rest-client.tt-user-api.url", "tt.app-secret"), TtCheckSettings.withoutDerived(
                java.util.Set.of("quarkus.rest-client.tt-user-api.url", "tt.app-secret", TtCheckSettings.URL, TtCheckSettings.TOKEN)));
        // set outright to something empty while TT is configured, they are named
        assertEquals(java.util.Set.of(TtCheckSettings.URL), TtCheckSettings.withoutDerived(java.util.Set.of(TtCheckSettings.URL)));
    }
}
