package io.sagaorchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.sagaorchestrator.definitions.DefinitionParser;
import io.sagaorchestrator.definitions.FailurePolicy;
import io.sagaorchestrator.definitions.NamedActions;
import io.sagaorchestrator.definitions.RetryPolicy;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
import io.sagaorchestrator.examples.usersync.TtAddUserAction;
import io.sagaorchestrator.examples.usersync.TtDeleteUserAction;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.Test;

class ThirdPartyUrlsTest {

    /** A gateway's REST client, as an action bean of an application would inject it. */
    @RegisterRestClient(configKey = "sms-api")
    interface SmsGateway {
    }

    static final class SendSmsAction {
        SendSmsAction(@RestClient SmsGateway gateway) {
        }
    }

    private static final Map<String, Class<?>> ACTIONS = Map.of(
            "ttAddUser", TtAddUserAction.class, "ttDeleteUser", TtDeleteUserAction.class, "sendSms", SendSmsAction.class);

    @Test
    void theThirdPartiesOfAnActionAreTheRestClientsItInjects() {
        // given action beans, when their classes are read, then each names the client of its third party
        assertEquals(Set.of("tt-user-api"), ThirdPartyUrls.restClientsOf(TtAddUserAction.class));
        assertEquals(Set.of("tt-user-api"), ThirdPartyUrls.restClientsOf(TtDeleteUserAction.class));
        assertEquals(Set.of("sms-api"), ThirdPartyUrls.restClientsOf(SendSmsAction.class));
    }

    @Test
    void aDefinitionLacksTheUnconfiguredThirdPartiesOfTheStepsAsked() {
        // given a saga calling TT in a remote step, then the SMS gateway in an outbox step; only TT is configured
        SagaDefinition saga = new SagaDefinition("welcome", 1, null, List.of(
                step("tt-add-user", StepKind.REMOTE, "ttAddUser", "ttDeleteUser"),
                step("send-sms", StepKind.OUTBOX, "sendSms", null)), "hash", "source");

        // when its missing third parties are asked for, of all steps and of remote steps only
        Set<String> configured = Set.of(ThirdPartyUrls.urlKey("tt-user-api"), "tt.app-secret", "tt.default-password");
        Set<String> all = ThirdPartyUrls.missing(saga, s -> true, ACTIONS::get, configured::contains);
        Set<String> remoteOnly = ThirdPartyUrls.missing(saga, s -> s.kind() == StepKind.REMOTE, ACTIONS::get, configured::contains);

        // then the gateway is missing for the saga, and nothing its remote step calls
        assertEquals(Set.of("quarkus.rest-client.sms-api.url"), all);
        assertEquals(Set.of(), remoteOnly);
    }

    @Test
    void theSecretOfTtIsNeededOnlyByADefinitionThatCallsTt() {
        // given a saga calling TT, and a saga of one's own that only sends SMS (an outbox step); TT's URL and password
        // are configured, its secret is not
        SagaDefinition callsTt = new SagaDefinition("welcome", 1, null, List.of(
                step("tt-add-user", StepKind.REMOTE, "ttAddUser", "ttDeleteUser")), "hash", "source");
        SagaDefinition own = new SagaDefinition("notify", 1, null, List.of(
                step("send-sms", StepKind.OUTBOX, "sendSms", null)), "hash2", "source");
        Set<String> configured = Set.of(ThirdPartyUrls.urlKey("tt-user-api"), ThirdPartyUrls.urlKey("sms-api"),
                "tt.default-password");

        // when their missing settings are asked for
        // then the saga calling TT lacks the secret, named by its setting, and the own saga lacks nothing
        assertEquals(Set.of("tt.app-secret"), ThirdPartyUrls.missing(callsTt, s -> true, ACTIONS::get, configured::contains));
        assertEquals(Set.of(), ThirdPartyUrls.missing(own, s -> true, ACTIONS::get, configured::contains));
    }

    @Test
    void aDeclaredCallNeedsTheUrlOfItsTargetAndTheSecretsItSends() {
        // given a saga whose remote step declares its calls: a secret header forward, another target to undo it
        SagaDefinition saga = new DefinitionParser(NamedActions.NONE).parse("shop.yaml", """
                name: shop
                version: 1
                steps:
                  - name: reserve
                    type: remote
                    http: { method: POST, target: inventory, path: /r, headers: { X-Api-Key: "${secret.inventory-key}" } }
                    compensation: { http: { method: DELETE, target: warehouse, path: /r } }
                """);

        // when only the inventory's URL is configured
        Set<String> missing = ThirdPartyUrls.missing(saga, s -> s.kind() == StepKind.REMOTE, ACTIONS::get,
                "saga.http.inventory.url"::equals);

        // then the secret and the compensation's target are missing, each named by its setting, so a production start stops
        assertEquals(Set.of("saga.http.warehouse.url", "saga.secret.inventory-key"), missing);
        String refusal = new ThirdPartyNotConfiguredException("shop", List.copyOf(missing)).getMessage();
        assertTrue(refusal.contains("the URL of the third party 'warehouse' and the secret 'inventory-key'"), refusal);
        assertTrue(refusal.contains("SAGA_HTTP_WAREHOUSE_URL (saga.http.warehouse.url), SAGA_SECRET_INVENTORY_KEY"), refusal);
    }

    private static StepDefinition step(String name, StepKind kind, String action, String compensation) {
        return new StepDefinition(name, kind, action, compensation, Duration.ofSeconds(5), RetryPolicy.DEFAULT, RetryPolicy.DEFAULT,
                FailurePolicy.COMPENSATE);
    }
}
