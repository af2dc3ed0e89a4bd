package io.sagaorchestrator.runtime;

import java.util.List;
import java.util.stream.Collectors;

/** A saga was asked for whose third party lacks a setting (its base URL, a secret): nothing was started. */
public final class ThirdPartyNotConfiguredException extends RuntimeException {

    /** @param keys the settings that are not configured */
    public ThirdPartyNotConfiguredException(String definition, List<String> keys) {
        super("Saga '" + definition + "' needs " + keys.stream().map(ThirdPartyUrls::describe).collect(Collectors.joining(" and "))
                + ", which " + (keys.size() == 1 ? "is" : "are") + " not configured: set "
                + keys.stream().map(key -> ThirdPartyUrls.envName(key) + " (" + key + ")").collect(Collectors.joining(", "))
                + ". Nothing was started.");
    }
}
