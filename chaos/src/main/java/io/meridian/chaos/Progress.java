package io.meridian.chaos;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/** Progress lines on stderr, so that stdout carries the report alone (and stays JSON with --json). */
final class Progress {
    private Progress() {
    }

    static void line(String format, Object... args) {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " chaos: " + String.format(format, args));
    }
}
