package io.meridian.bench;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Progress lines on stderr, so that stdout carries only the report (and {@code --json} stays parseable). */
final class Progress {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Progress() {
    }

    static void line(String format, Object... args) {
        System.err.println("bench " + LocalTime.now().format(TIME) + "  " + String.format(format, args));
        System.err.flush();
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
