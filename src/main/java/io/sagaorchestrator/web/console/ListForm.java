package io.sagaorchestrator.web.console;

import io.quarkus.qute.TemplateData;
import io.sagaorchestrator.web.QueryParams;
import io.sagaorchestrator.store.SagaQueries;
import jakarta.ws.rs.BadRequestException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The saga list's filter form as the browser sent it (kept to show it again), turned into the API's
 * {@link SagaQueries.Filter}. Empty fields do not filter. Times are UTC, as in the API.
 */
@TemplateData
record ListForm(Set<String> statuses, String definition, String businessKey, String createdFrom, String createdTo,
                String stuck, String error, boolean retrying, boolean paused) {

    static final int MAX_ERROR_TEXT = 200;

    static ListForm of(List<String> statuses, String definition, String businessKey, String createdFrom, String createdTo,
                       String stuck, String error, String retrying, String paused) {
        Set<String> picked = new TreeSet<>();
        statuses.forEach(s -> {
            for (String one : s.split(",")) {
                if (!one.isBlank()) {
                    picked.add(one.strip().toUpperCase(Locale.ROOT));
                }
            }
        });
        return new ListForm(picked, blankToNull(definition), blankToNull(businessKey), blankToNull(createdFrom),
                blankToNull(createdTo), blankToNull(stuck), blankToNull(error), ticked(retrying), ticked(paused));
    }

    /** @throws BadRequestException saying which field is wrong and what it should look like */
    SagaQueries.Filter toFilter() {
        if (error != null && error.length() > MAX_ERROR_TEXT) {
            throw new BadRequestException("The error text is longer than " + MAX_ERROR_TEXT + " characters");
        }
        return new SagaQueries.Filter(QueryParams.statuses(List.copyOf(statuses)), QueryParams.text("Definition", definition),
                QueryParams.text("Business key", businessKey),
                time("Created from", createdFrom), time("Created before", createdTo), null, null,
                QueryParams.text("Error text", error),
                QueryParams.duration("Stuck for", stuck), null, retrying ? Boolean.TRUE : null, paused ? Boolean.TRUE : null);
    }

    /** This filter as a query string, to link to its next page. */
    String query() {
        List<String> parts = new ArrayList<>();
        statuses.forEach(s -> parts.add("status=" + encode(s)));
        add(parts, "definition", definition);
        add(parts, "businessKey", businessKey);
        add(parts, "createdFrom", createdFrom);
        add(parts, "createdTo", createdTo);
        add(parts, "stuck", stuck);
        add(parts, "error", error);
        if (retrying) {
            parts.add("retrying=true");
        }
        if (paused) {
            parts.add("paused=true");
        }
        return String.join("&", parts);
    }

    public boolean has(String status) {
        return statuses.contains(status);
    }

    public boolean empty() {
        return query().isEmpty();
    }

    /** A {@code datetime-local} field ({@code 2026-11-25T08:00}) read as UTC, or a full instant ({@code ...Z}). */
    private static Instant time(String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            return QueryParams.within(field, text, Instant.parse(text));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return QueryParams.within(field, text, LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                throw new BadRequestException(field + " '" + text + "' is not a time (write e.g. 2026-11-25T08:00, UTC)");
            }
        }
    }

    private static void add(List<String> parts, String name, String value) {
        if (value != null) {
            parts.add(name + "=" + encode(value));
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static boolean ticked(String checkbox) {
        return "true".equals(checkbox) || "on".equals(checkbox);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
