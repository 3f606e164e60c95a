package io.meridian.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What {@code migrate watch} does with each record of {@code meridian.migrations}: reads it with the catalog's serde,
 * keeps the migration (and tenant) asked for, prints one line per event, a progress bar while draining, and decides
 * when watching one migration is over. A record the serde cannot read is reported on stderr and skipped. Not
 * thread-safe: used on the tail's thread.
 */
final class MigrationWatch implements Tail.Handler {
    static final int BAR_WIDTH = 20;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final List<String> HEADERS = List.of("time", "tenant", "migration", "type", "state", "detail");

    private final Printer printer;
    private final PrintWriter err;
    private final Optional<String> migrationId;
    private final Optional<String> tenant;
    private final Deserializer<MigrationEvent> deserializer = Topics.MIGRATIONS.valueSerde().deserializer();
    private final Map<String, Long> firstRemaining = new HashMap<>();
    /** Time, tenant, migration id (a UUID), type, state: wide enough up front that the header stays aligned. */
    private final int[] widths = {24, 14, 36, 16, 13};
    private boolean headerPrinted;
    private MigrationState outcome;

    MigrationWatch(Printer printer, PrintWriter err, Optional<String> migrationId, Optional<String> tenant) {
        this.printer = Objects.requireNonNull(printer, "printer");
        this.err = Objects.requireNonNull(err, "err");
        this.migrationId = Objects.requireNonNull(migrationId, "migrationId");
        this.tenant = Objects.requireNonNull(tenant, "tenant");
    }

    @Override
    public boolean accept(ConsumerRecord<byte[], byte[]> record) {
        MigrationEvent event;
        try {
            event = deserializer.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            err.println("warning: skipping record " + record.partition() + ":" + record.offset() + " of "
                    + record.topic() + ": " + e.getMessage());
            err.flush();
            return true;
        }
        return event == null || accept(event);
    }

    /** One event, read from Kafka or made from what the node answers over HTTP; whether to go on. */
    boolean accept(MigrationEvent event) {
        if (!wanted(event)) {
            return true;
        }
        print(event);
        if (migrationId.isPresent() && event instanceof MigrationEvent.StateChanged changed
                && changed.state().isTerminal()) {
            outcome = changed.state();
            return false;
        }
        return true;
    }

    /** The end state of the watched migration, once seen. */
    Optional<MigrationState> outcome() {
        return Optional.ofNullable(outcome);
    }

    /** Records an end state learned elsewhere (the node's API) before any event was seen. */
    void ended(MigrationState state) {
        outcome = state;
    }

    /** {@link ExitCode#OK} unless the migration ended failed or cancelled. */
    int exitCode() {
        return outcome == null || outcome == MigrationState.COMPLETED ? ExitCode.OK : ExitCode.MIGRATION_FAILED;
    }

    private boolean wanted(MigrationEvent event) {
        return migrationId.map(event.migrationId()::equals).orElse(true)
                && tenant.map(event.tenant()::equals).orElse(true);
    }

    private void print(MigrationEvent event) {
        Optional<Double> progress = event instanceof MigrationEvent.Progress p ? Optional.of(fraction(p))
                : Optional.empty();
        if (printer.json()) {
            ObjectNode json = (ObjectNode) Json.toTree(event);
            progress.ifPresent(f -> json.put("progress", Math.round(f * 1000) / 1000.0));
            printer.json(json);
            return;
        }
        if (!headerPrinted) {
            headerPrinted = true;
            printer.line(row(HEADERS.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList()));
        }
        printer.line(row(List.of(time(event.timestamp()), event.tenant(), event.migrationId(), type(event),
                state(event), detail(event, progress.orElse(0.0)))));
    }

    private String row(List<String> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i).isEmpty() ? Printer.NONE : cells.get(i);
            if (i < widths.length) {
                widths[i] = Math.max(widths[i], cell.length());
                line.append(Printer.pad(cell, widths[i])).append("  ");
            } else {
                line.append(cell);
            }
        }
        return line.toString().stripTrailing();
    }

    /** Done share of a drain, against the most remaining entries seen for that migration. */
    private double fraction(MigrationEvent.Progress progress) {
        long base = firstRemaining.merge(progress.migrationId(), progress.remainingEntries(), Math::max);
        return base <= 0 ? 1.0 : (double) (base - progress.remainingEntries()) / base;
    }

    static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]"
                + String.format(Locale.ROOT, " %3d%%", Math.round(fraction * 100));
    }

    private static String type(MigrationEvent event) {
        if (event instanceof MigrationEvent.Requested) {
            return "requested";
        } else if (event instanceof MigrationEvent.CancelRequested) {
            return "cancel_requested";
        } else if (event instanceof MigrationEvent.StateChanged) {
            return "state_changed";
        } else if (event instanceof MigrationEvent.Failback) {
            return "failback";
        }
        return "progress";
    }

    private static String state(MigrationEvent event) {
        if (event instanceof MigrationEvent.StateChanged changed) {
            return changed.state().wireName();
        } else if (event instanceof MigrationEvent.Requested) {
            return MigrationState.REQUESTED.wireName();
        } else if (event instanceof MigrationEvent.Progress) {
            return MigrationState.DRAINING.wireName();
        } else if (event instanceof MigrationEvent.Failback f) {
            return f.action();
        }
        return Printer.NONE;
    }

    private static String detail(MigrationEvent event, double fraction) {
        if (event instanceof MigrationEvent.Requested r) {
            return r.fromRegion() + ReplicationCommand.ARROW + r.toRegion() + ", timeout " + r.timeoutMs() / 1000
                    + " s, by " + r.requestedBy();
        } else if (event instanceof MigrationEvent.CancelRequested c) {
            return "by " + c.requestedBy();
        } else if (event instanceof MigrationEvent.StateChanged s) {
            return s.reason() + (s.fencePosition().isEmpty() ? "" : " (fence " + s.fencePosition() + ", epoch "
                    + s.placementEpoch() + ")");
        } else if (event instanceof MigrationEvent.Failback f) {
            return f.fromRegion() + ReplicationCommand.ARROW + f.toRegion() + ", by " + f.requestedBy() + ": "
                    + f.reason();
        }
        MigrationEvent.Progress p = (MigrationEvent.Progress) event;
        String eta = "";
        if (p.entriesPerSecond() > 0 && p.remainingEntries() > 0) {
            double seconds = p.remainingEntries() / p.entriesPerSecond();
            eta = seconds < 1 ? ", <1 s left" : String.format(Locale.ROOT, ", ~%.0f s left", seconds);
        }
        return bar(fraction) + String.format(Locale.ROOT, " %d entries left, %.1f/s%s", p.remainingEntries(),
                p.entriesPerSecond(), eta);
    }

    /** UTC, always with milliseconds, so the column keeps its width. */
    static String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis));
    }
}
