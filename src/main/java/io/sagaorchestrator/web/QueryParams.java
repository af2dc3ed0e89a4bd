package io.sagaorchestrator.web;

import io.sagaorchestrator.store.InvalidParameterException;
import io.sagaorchestrator.store.SagaQueries;

import io.quarkus.runtime.configuration.DurationConverter;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import io.sagaorchestrator.core.SagaStatus;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Query parameters read by hand: JAX-RS answers 404 for a parameter it cannot convert, which tells
 * the caller the wrong thing. These answer 400 and say what a valid value looks like.
 */
public final class QueryParams {

    private QueryParams() {
    }

    /** The longest a saga can sensibly have been stuck; longer ones overflow the milliseconds sent to PostgreSQL. */
    static final Duration LONGEST = Duration.ofDays(3650);

    public static Instant instant(String name, String text) {
        try {
            return text == null ? null : within(name, text, Instant.parse(text));
        } catch (DateTimeParseException e) {
            throw new InvalidParameterException(name, "'" + text + "' is not a UTC time (write e.g. 2026-11-25T08:00:00Z)");
        }
    }

    /**
     * @throws InvalidParameterException naming the parameter when the time is outside
     *         {@link SagaQueries#EARLIEST}..{@link SagaQueries#LATEST}
     */
    public static Instant within(String name, String text, Instant time) {
        if (time.isBefore(SagaQueries.EARLIEST) || time.isAfter(SagaQueries.LATEST)) {
            throw new InvalidParameterException(name, "'" + text + "' is outside the times the saga log can hold (years 1970 to 9999, UTC)");
        }
        return time;
    }

    public static Duration duration(String name, String text) {
        Duration duration;
        try {
            duration = text == null ? null : DurationConverter.parseDuration(text);
        } catch (RuntimeException e) {
            throw new InvalidParameterException(name, "'" + text + "' is not a duration (write e.g. 30s, 5m, 2h)");
        }
        if (duration != null && (duration.isNegative() || duration.compareTo(LONGEST) > 0)) {
            throw new InvalidParameterException(name, "'" + text + "' is not a duration from 0s to " + LONGEST.toDays() + "d");
        }
        return duration;
    }

    /** PostgreSQL's text cannot hold the NUL character: a search for one would fail in the database, not say why. */
    public static String text(String name, String text) {
        if (text != null && text.indexOf('\0') >= 0) {
            throw new InvalidParameterException(name, "must not contain the NUL character (\\u0000)");
        }
        return text;
    }

    public static UUID uuid(String name, String text) {
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(name, "'" + text + "' is not a saga id: saga ids are UUIDs such as " + NotAnIdException.EXAMPLE);
        }
    }

    public static Set<SagaStatus> statuses(List<String> names) {
        Set<SagaStatus> statuses = EnumSet.noneOf(SagaStatus.class);
        for (String name : names) {
            for (String one : name.split(",")) {
                try {
                    statuses.add(SagaStatus.valueOf(one.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidParameterException("status", "'" + one + "' is not one of " + List.of(SagaStatus.values()));
                }
            }
        }
        return statuses;
    }
}
