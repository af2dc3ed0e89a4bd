package io.sagaorchestrator.runtime;

import io.sagaorchestrator.definitions.CompensationCheck;
import io.sagaorchestrator.definitions.HttpCall;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.steps.RemoteAction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The actions of declared calls, each built once (its URL and secrets read from configuration then) and shared by
 * every saga of its definition. One JDK HTTP client serves them all: the engine calls on its own worker threads and
 * waits for the answer under the step's timeout, which the client's blocking {@code send} fits without another
 * dependency or a client interface per third party.
 */
@ApplicationScoped
public class HttpSteps {

    private final Config config;
    private final ObjectMapper json;
    private final HttpClient client;
    private final Map<Key, RemoteAction> built = new ConcurrentHashMap<>();

    HttpSteps(Config config, ObjectMapper json,
              @ConfigProperty(name = "saga.http.connect-timeout", defaultValue = "2s") Duration connectTimeout) {
        this.config = config;
        this.json = json;
        // HTTP/1.1: an upgrade attempt to HTTP/2 on plain http:// is a round trip many partners' servers mishandle
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private record Key(HttpCall call, boolean compensation, Duration timeout, CompensationCheck check) {
    }

    /** The action carrying out {@code call}, forward or as a compensation, within {@code timeout} per attempt. */
    public RemoteAction action(HttpCall call, boolean compensation, Duration timeout) {
        return build(call, compensation, timeout, null);
    }

    /** The action making a compensation's check: its GET, whose answer must meet the check's expectation. */
    public RemoteAction check(CompensationCheck check, Duration timeout) {
        return build(check.http(), true, timeout, check);
    }

    private RemoteAction build(HttpCall call, boolean compensation, Duration timeout, CompensationCheck check) {
        return built.computeIfAbsent(new Key(call, compensation, timeout, check), k -> new HttpStepAction(call, compensation,
                setting(call.urlKey()).orElse(null),
                call.secretKeys().stream().flatMap(key -> setting(key).map(value -> Map.entry(key, value)).stream())
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                timeout, client, json, check));
    }

    private Optional<String> setting(String key) {
        return config.getOptionalValue(key, String.class).filter(value -> !value.isBlank());
    }
}
