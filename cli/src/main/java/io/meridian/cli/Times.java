package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Times for people in table output: ages as {@code 850ms}, {@code 12.3s}, {@code 5m 03s}, {@code 2h 04m},
 * {@code 3d 02h}; instants as {@code 2026-12-03 11:40:00Z (5m 03s ago)}. JSON output keeps the node's values.
 * Stateless.
 */
final class Times {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** A duration, at most two units: {@code 850ms}, {@code 12.3s}, {@code 5m 03s}, {@code 2h 04m}, {@code 3d 02h}. */
    static String age(long millis) {
        if (millis < 0) {
            return "-" + age(-millis);
        }
        if (millis < 1_000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        Duration d = Duration.ofMillis(millis);
        if (millis < 3_600_000) {
            return String.format(Locale.ROOT, "%dm %02ds", d.toMinutes(), d.toSecondsPart());
        }
        if (millis < 86_400_000) {
            return String.format(Locale.ROOT, "%dh %02dm", d.toHours(), d.toMinutesPart());
        }
        return String.format(Locale.ROOT, "%dd %02dh", d.toDays(), d.toHoursPart());
    }

    /** {@code 2026-12-03 11:40:00Z (5m 03s ago)}, or {@code (in 2m 00s)} for a time to come. */
    static String when(Instant at, Instant now) {
        long millis = Duration.between(at, now).toMillis();
        return WHEN.format(at) + (millis >= 0 ? " (" + age(millis) + " ago)" : " (in " + age(-millis) + ")");
    }

    static String when(long epochMillis) {
        return when(Instant.ofEpochMilli(epochMillis), Clock.systemUTC().instant());
    }

    /**
     * A node's time value for people: epoch milliseconds ({@code > 0}) or ISO-8601 text; {@code -} for null, missing,
     * negative or zero; anything else as it is.
     */
    static String when(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return Printer.NONE;
        }
        if (value.isIntegralNumber()) {
            return value.asLong() > 0 ? when(value.asLong()) : Printer.NONE;
        }
        if (value.isTextual()) {
            try {
                return when(Instant.parse(value.asText()), Clock.systemUTC().instant());
            } catch (DateTimeParseException e) {
                return value.asText();
            }
        }
        return Printer.text(value);
    }

    /** ISO-8601 text for people; {@code -} for null or empty. */
    static String whenIso(String iso) {
        return iso == null || iso.isEmpty() ? Printer.NONE : when(JsonNodeFactory.instance.textNode(iso));
    }

    /** A copy of {@code object} with {@code fields} (those present) replaced by {@link #when(JsonNode)}. */
    static JsonNode readable(JsonNode object, List<String> fields) {
        if (object == null || !object.isObject()) {
            return object;
        }
        ObjectNode copy = object.deepCopy();
        for (String field : fields) {
            if (object.has(field)) {
                copy.put(field, when(object.get(field)));
            }
        }
        return copy;
    }
}
