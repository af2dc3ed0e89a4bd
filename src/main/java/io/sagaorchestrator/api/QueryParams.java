package io.sagaorchestrator.api;

import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.ws.rs.BadRequestException;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import io.sagaorchestrator.sagalog.SagaStatus;

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

    public static Instant instant(String name, String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new BadRequestException(name + " '" + text + "' is not a UTC time (write e.g. 2026-11-25T08:00:00Z)");
        }
    }

    public static Duration duration(String name, String text) {
        try {
            return text == null ? null : DurationConverter.parseDuration(text);
        } catch (RuntimeException e) {
            throw new BadRequestException(name + " '" + text + "' is not a duration (write e.g. 30s, 5m, 2h)");
        }
    }

    public static UUID uuid(String name, String text) {
        try {
            return text == null ? null : UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(name + " '" + text + "' is not a saga id");
        }
    }

    public static Set<SagaStatus> statuses(List<String> names) {
        Set<SagaStatus> statuses = EnumSet.noneOf(SagaStatus.class);
        for (String name : names) {
            for (String one : name.split(",")) {
                try {
                    statuses.add(SagaStatus.valueOf(one.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequestException("status '" + one + "' is not one of " + List.of(SagaStatus.values()));
                }
            }
        }
        return statuses;
    }
}
