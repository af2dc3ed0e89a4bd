package io.sagaorchestrator.examples.usersync;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of user-sync's declared check ({@code verify:} of {@code ttDeleteUser}, a {@code GET /users/{id}} at target
 * {@code tt-user-api}), derived from the TT settings the action beans read, so that nobody configures TT twice:
 * {@value #URL} is {@code quarkus.rest-client.tt-user-api.url}, and {@value #TOKEN} (sent as the {@code authToken}
 * header) is the md5 hex of {@code tt.app-secret}, as {@link AuthToken} makes it. Either may be set outright, which wins.
 */
public final class TtCheckSettings {

    public static final String URL = "saga.http.tt-user-api.url";
    public static final String TOKEN = "saga.secret.tt-auth-token";
    static final String TT_URL = "quarkus.rest-client.tt-user-api.url";
    static final String APP_SECRET = "tt.app-secret";

    private TtCheckSettings() {
    }

    /**
     * @param config   the configuration as the application will see it (empty when a key is not configured)
     * @param supplied values supplied beside it, e.g. the simulator's URL and demo secret in dev mode
     * @return the derived settings; none for a TT setting that is neither configured nor supplied
     */
    public static Map<String, String> derived(Function<String, Optional<String>> config, Map<String, String> supplied) {
        Map<String, String> derived = new HashMap<>();
        config.apply(TT_URL).or(() -> Optional.ofNullable(supplied.get(TT_URL))).ifPresent(url -> derived.put(URL, url));
        config.apply(APP_SECRET).or(() -> Optional.ofNullable(supplied.get(APP_SECRET)))
                .ifPresent(secret -> derived.put(TOKEN, AuthToken.md5Hex(secret)));
        return derived;
    }

    /**
     * The unconfigured settings without those that follow from another unconfigured one: a start that lacks TT's URL or
     * secret is told to set those, not the check's settings derived from them.
     */
    public static java.util.Set<String> withoutDerived(java.util.Set<String> unconfigured) {
        java.util.Set<String> kept = new java.util.TreeSet<>(unconfigured);
        if (unconfigured.contains(TT_URL)) {
            kept.remove(URL);
        }
        if (unconfigured.contains(APP_SECRET)) {
            kept.remove(TOKEN);
        }
        return kept;
    }
}
