package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.MigrationState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code migrate start --wait}: follows one migration over HTTP ({@code GET /admin/migrations/{id}} twice a second),
 * printing each state it reaches (and the drain's progress), until it ends or the wait times out. Needs no Kafka
 * access, unlike {@code migrate watch}. Stateless.
 */
final class MigrationPoll {
    static final Duration INTERVAL = Duration.ofMillis(500);

    private MigrationPoll() {
    }

    /** Whether a migration as the node answers it has ended ({@code active} false, or a terminal state). */
    static boolean ended(JsonNode migration) {
        if (migration.path("active").isBoolean()) {
            return !migration.get("active").asBoolean();
        }
        try {
            return migration.hasNonNull("state")
                    && MigrationState.fromWire(migration.get("state").asText()).isTerminal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Waits quietly until migration {@code id} ends; its last answer, or empty when it still runs after
     * {@code timeout}.
     */
    static java.util.Optional<JsonNode> awaitEnd(HttpApi api, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode migration = api.get("/admin/migrations/" + HttpApi.segment(id)).body();
            if (ended(migration)) {
                return java.util.Optional.of(migration);
            }
            if (System.nanoTime() > deadline) {
                return java.util.Optional.empty();
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.UNAVAILABLE, "interrupted", "interrupted while waiting for " + id, e);
            }
        }
    }

    /** @return 0 completed, 4 failed or cancelled, 3 still running after {@code timeout} */
    static int await(HttpApi api, Printer printer, PrintWriter err, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String shown = "";
        while (true) {
            JsonNode migration = api.get("/admin/migrations/" + HttpApi.segment(id)).body();
            String state = migration.path("state").asText();
            long remaining = migration.path("remainingEntries").asLong(-1);
            String line = state + (remaining >= 0 && !ended(migration)
                    ? String.format(Locale.ROOT, " (%d entries left, %.1f/s)", remaining,
                    migration.path("entriesPerSecond").asDouble()) : "");
            if (!line.equals(shown)) {
                shown = line;
                if (printer.json()) {
                    printer.json(migration);
                } else {
                    printer.line(Times.when(System.currentTimeMillis()).substring(0, 20) + "  " + id + "  " + line
                            + (migration.path("reason").asText().isEmpty() ? "" : "  " + migration.get("reason")
                            .asText()));
                }
            }
            if (ended(migration)) {
                boolean completed = MigrationState.COMPLETED.wireName().equals(state);
                if (!completed) {
                    err.println("migration " + id + " ended " + state);
                    err.flush();
                }
                return completed ? ExitCode.OK : ExitCode.MIGRATION_FAILED;
            }
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCode.UNAVAILABLE, "wait_timeout", "migration " + id + " is still "
                        + state + " after " + timeout.toSeconds() + " s; it goes on: meridianctl migrate status " + id);
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.UNAVAILABLE, "interrupted", "interrupted while waiting for " + id, e);
            }
        }
    }
}
