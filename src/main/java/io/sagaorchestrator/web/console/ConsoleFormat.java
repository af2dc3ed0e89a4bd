package io.sagaorchestrator.web.console;

import io.quarkus.qute.TemplateExtension;
import io.sagaorchestrator.core.SagaStatus;
import io.sagaorchestrator.definitions.Group;
import io.sagaorchestrator.definitions.SagaDefinition;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

/** How the console writes times, durations, ids and a definition's groups: UTC, as the API's filters take them. */
@TemplateExtension
final class ConsoleFormat {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Where the last block of a UUID's written form starts: 8-4-4-4- */
    private static final int SHORT_ID_FROM = 24;

    private ConsoleFormat() {
    }

    /** {@code 2026-11-25 08:00:01 UTC} */
    static String utc(Instant instant) {
        return instant == null ? "" : UTC.format(instant);
    }

    /** For {@code <time datetime>}. */
    static String iso(Instant instant) {
        return instant == null ? "" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** {@code 3 min ago}, {@code in 20 s}. */
    static String ago(Instant instant) {
        if (instant == null) {
            return "";
        }
        Duration d = Duration.between(instant, Instant.now());
        if (d.abs().toMillis() < 1000) {
            return "just now";
        }
        return d.isNegative() ? "in " + duration(d.negated(), false) : duration(d, false) + " ago";
    }

    static String age(Long seconds) {
        return seconds == null ? "" : duration(Duration.ofSeconds(seconds), false);
    }

    /**
     * The last block of a saga id, enough to tell sagas apart on a page. Saga ids are UUID v7: their first blocks are
     * the creation time, the same for every saga of a minute; the last one is random.
     */
    static String shortId(UUID id) {
        return id == null ? "" : id.toString().substring(SHORT_ID_FROM);
    }

    /** {@code An ESCALATED}: a saga status with its article, to open a sentence. */
    static String withArticle(String status) {
        return SagaStatus.valueOf(status).withArticle();
    }

    /** A status or outcome as a CSS class suffix. */
    static String css(String name) {
        return name == null ? "" : name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    static String css(Enum<?> value) {
        return value == null ? "" : css(value.name());
    }

    /**
     * The parallel group step {@code index} of {@code definition} is a branch of, as a steps table says it:
     * {@code accounts: branch 1 of 2, all at once}, and {@code , undone side by side} when the group says
     * {@code compensation: parallel}; empty for a step that runs on its own. An item of a forEach says which item of which
     * list it runs: {@code seats: item 3 of at most 4 (each item of ${input.seats}), all at once}.
     */
    static String branchOf(SagaDefinition definition, int index) {
        Group group = definition.groupAt(index);
        if (group == null) {
            return "";
        }
        String place = group.forEach() == null ? "branch " + (index - group.first() + 1) + " of " + group.size()
                : "item " + (index - group.first() + 1) + " of at most " + group.size() + " (each item of "
                + group.forEach().items().text() + ")";
        return group.name() + ": " + place + ", "
                + (group.maxConcurrency() >= group.size() ? "all at once" : "at most " + group.maxConcurrency() + " at once")
                + (group.undoneTogether() ? ", undone side by side" : "");
    }

    /** Long error texts cut for a table cell; the detail page shows them whole. */
    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    static String duration(Duration d) {
        return duration(d, true);
    }

    private static String duration(Duration d, boolean millis) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return millis ? ms + " ms" : "0 s";
        }
        long s = d.toSeconds();
        if (s < 60) {
            return millis && ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 || s >= 600 ? "" : " " + s % 60 + " s");
        }
        if (s < 86_400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
    }
}
