package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.SagaDefinition;
import io.sagaorchestrator.definitions.StepDefinition;
import io.sagaorchestrator.definitions.StepKind;
import io.sagaorchestrator.definitions.HttpCall;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which settings each loaded definition's third parties need (their base URLs, and the secrets their declared calls
 * send), and which of them are not configured. A saga that needs one of these is never accepted: its start is refused
 * with the settings to make, instead of a saga that could only fail. (Which of them a production start requires is
 * {@code RequiredConfiguration}'s rule.)
 *
 * <p>A step's call declared in its definition ({@code http:}, and a compensation's {@code verify:} check) needs {@code saga.http.<target>.url} and
 * {@code saga.secret.<key>} for each secret it sends. An action bean's third party is a REST client it injects, and it
 * needs the settings without a default that it injects; both are read from the action's class, because creating the
 * action would create its clients, which fail on a missing URL.
 */
@ApplicationScoped
public class ThirdPartyUrls {

    private static final Pattern URL_KEY = Pattern.compile("(quarkus\\.rest-client|saga\\.http)\\.(.+)\\.url");

    private final Map<String, Set<String>> missingByDefinition;

    ThirdPartyUrls(DefinitionRegistry definitions, ActionRegistry actions, Config config) {
        this.missingByDefinition = definitions.all().stream().collect(Collectors.toUnmodifiableMap(SagaDefinition::name,
                d -> missing(d, step -> true, actions::remoteImplementation, configuredIn(config))));
    }

    /** The unconfigured settings that these definitions need in a remote step, before any local work. */
    public static Set<String> missingForRemoteSteps(Collection<SagaDefinition> definitions, ActionRegistry actions, Config config) {
        return definitions.stream()
                .flatMap(d -> missing(d, step -> step.kind() == StepKind.REMOTE, actions::remoteImplementation, configuredIn(config))
                        .stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Predicate<String> configuredIn(Config config) {
        return key -> Stream.of(key, key.replaceFirst("^(quarkus\\.rest-client\\..+)\\.url$", "$1.uri"))
                .anyMatch(k -> config.getOptionalValue(k, String.class).filter(value -> !value.isBlank()).isPresent());
    }

    /** @throws ThirdPartyNotConfiguredException when a setting a third party of the definition needs is not configured */
    public void requireConfigured(SagaDefinition definition) {
        Set<String> missing = missingByDefinition.getOrDefault(definition.name(), Set.of());
        if (!missing.isEmpty()) {
            throw new ThirdPartyNotConfiguredException(definition.name(), List.copyOf(missing));
        }
    }

    /** The settings the chosen steps of a definition need (forward and compensation) that are not configured. */
    static Set<String> missing(SagaDefinition definition, Predicate<StepDefinition> which,
                               Function<String, Class<?>> implementation, Predicate<String> configured) {
        Set<String> missing = new TreeSet<>();
        for (StepDefinition step : definition.steps()) {
            if (step.kind().callsThirdParty() && which.test(step)) {
                needs(step.http(), step.action(), implementation).filter(configured.negate()).forEach(missing::add);
                if (step.hasCompensation()) {
                    needs(step.compensationHttp(), step.compensation(), implementation).filter(configured.negate()).forEach(missing::add);
                }
                if (step.verify() != null) {
                    needs(step.verify().http(), null, implementation).filter(configured.negate()).forEach(missing::add);
                }
            }
        }
        return missing;
    }

    private static Stream<String> needs(HttpCall declared, String bean, Function<String, Class<?>> implementation) {
        if (declared != null) {
            return Stream.concat(Stream.of(declared.urlKey()), declared.secretKeys().stream());
        }
        Class<?> action = implementation.apply(bean);
        return Stream.concat(restClientsOf(action).stream().map(ThirdPartyUrls::urlKey), settingsOf(action).stream());
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

    /**
     * The settings without a default that a class injects by constructor or field (e.g. ttAddUser's {@code tt.app-secret},
     * optional there): required only where a loaded definition calls the action.
     */
    static Set<String> settingsOf(Class<?> action) {
        Stream<ConfigProperty> injected = Stream.concat(
                Stream.of(action.getDeclaredConstructors()).flatMap(constructor -> Stream.of(constructor.getParameters()))
                        .map(parameter -> parameter.getAnnotation(ConfigProperty.class)),
                Stream.of(action.getDeclaredFields()).map(field -> field.getAnnotation(ConfigProperty.class)));
        return injected.filter(setting -> setting != null && ConfigProperty.UNCONFIGURED_VALUE.equals(setting.defaultValue()))
                .map(ConfigProperty::name).collect(Collectors.toCollection(TreeSet::new));
    }

    public static String urlKey(String thirdParty) {
        return "quarkus.rest-client." + thirdParty + ".url";
    }

    /** What a setting is, for a person: "the URL of the third party 'crm-api'", "the secret 'inventory-key'". */
    public static String describe(String key) {
        Matcher url = URL_KEY.matcher(key);
        if (url.matches()) {
            return "the URL of the third party '" + url.group(2) + "'";
        }
        return key.startsWith(HttpCall.SECRET_PREFIX) ? "the secret '" + key.substring(HttpCall.SECRET_PREFIX.length()) + "'" : key;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
