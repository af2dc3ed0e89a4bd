package io.sagaorchestrator.engine;

import java.util.List;
import java.util.stream.Collectors;

/** A saga was asked for whose third party has no base URL: nothing was started. */
public final class ThirdPartyNotConfiguredException extends RuntimeException {

    public ThirdPartyNotConfiguredException(String definition, List<String> thirdParties) {
        super("Saga '" + definition + "' calls " + String.join(" and ", thirdParties) + ", whose URL is not configured: set "
                + thirdParties.stream().map(ThirdPartyUrls::urlKey).map(key -> ThirdPartyUrls.envName(key) + " (" + key + ")")
                        .collect(Collectors.joining(", "))
                + ". Nothing was started.");
    }
}
