package io.sagaorchestrator.engine;

import io.sagaorchestrator.definitions.DefinitionRegistry;
import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which third parties each loaded definition calls, and whether their base URLs are configured. A saga whose
 * third party has no URL is never accepted: its start is refused with the setting to make, instead of a saga
 * that could only fail. (Which of them a production start requires is {@code RequiredConfiguration}'s rule.)
 *
 * <p>A third party is a REST client an action injects; it is read from the action's class, because creating the
 * action would create its clients, which fail on a missing URL.
 */
@ApplicationScoped
public class ThirdPartyUrls {

    private final Map<String, Set<String>> missingByDefinition;
    private final Set<String> missingForRemoteSteps;

    ThirdPartyUrls(DefinitionRegistry definitions, ActionRegistry actions, Config config) {
        Predicate<String> configured = thirdParty -> Stream.of(urlKey(thirdParty), "quarkus.rest-client." + thirdParty + ".uri")
                .anyMatch(key -> config.getOptionalValue(key, String.class).filter(value -> !value.isBlank()).isPresent());
        this.missingByDefinition = definitions.all().stream().collect(Collectors.toUnmodifiableMap(SagaDefinition::name,
                d -> missing(d, step -> true, actions::remoteImplementation, configured)));
        this.missingForRemoteSteps = definitions.all().stream()
                .flatMap(d -> missing(d, step -> step.kind() == StepKind.REMOTE, actions::remoteImplementation, configured).stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** @throws ThirdPartyNotConfiguredException when a third party of the definition has no URL */
    public void requireConfigured(SagaDefinition definition) {
        Set<String> missing = missingByDefinition.getOrDefault(definition.name(), Set.of());
        if (!missing.isEmpty()) {
            throw new ThirdPartyNotConfiguredException(definition.name(), List.copyOf(missing));
        }
    }

    /** The unconfigured third parties that loaded definitions call in a remote step, before any local work. */
    public Set<String> missingForRemoteSteps() {
        return missingForRemoteSteps;
    }

    /** The third parties the chosen steps of a definition call (forward and compensation) that have no URL. */
    static Set<String> missing(SagaDefinition definition, Predicate<StepDefinition> which,
                               Function<String, Class<?>> implementation, Predicate<String> configured) {
        Set<String> missing = new TreeSet<>();
        for (StepDefinition step : definition.steps()) {
            if (step.kind().callsThirdParty() && which.test(step)) {
                Stream.of(step.action(), step.compensation()).filter(name -> name != null)
                        .flatMap(name -> restClientsOf(implementation.apply(name)).stream())
                        .filter(configured.negate())
                        .forEach(missing::add);
            }
        }
        return missing;
    }

    /** The config keys of the REST clients a class injects by constructor or field. */
    static Set<String> restClientsOf(Class<?> action) {
        Stream<Class<?>> injected = Stream.concat(
                Stream.of(action.getDeclaredConstructors()).flatMap(constructor -> Stream.of(constructor.getParameterTypes())),
                Stream.of(action.getDeclaredFields()).map(Field::getType));
        Set<String> keys = new TreeSet<>();
        injected.filter(type -> type.isAnnotationPresent(RegisterRestClient.class)).forEach(client -> {
            String key = client.getAnnotation(RegisterRestClient.class).configKey();
            keys.add(key.isBlank() ? client.getName() : key);
        });
        return keys;
    }

    public static String urlKey(String thirdParty) {
        return "quarkus.rest-client." + thirdParty + ".url";
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
