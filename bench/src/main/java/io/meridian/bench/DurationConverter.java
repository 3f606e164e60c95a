package io.meridian.bench;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Accepts {@code 60s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT1M}). */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        if (v.startsWith("pt")) {
            return Duration.parse(value.trim());
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long amount = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("invalid duration '" + value + "': use e.g. 60s, 500ms, 2m");
        };
    }
}
