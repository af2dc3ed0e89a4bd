package io.sagaorchestrator.definitions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an answer means for the step, as a definition may declare it for a status or a body field. */
public enum CallOutcome {
    SUCCEEDED, REJECTED, UNKNOWN, UNAVAILABLE;

    static CallOutcome parse(String word, String where) {
        try {
            return valueOf(word.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new TemplateException(String.valueOf(word), where + ": '" + word + "' is not one of "
                    + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }
}
