package io.meridian.bench;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads {@code meridian.migrations} (read_committed: the controller writes it in transactions) and keeps, per
 * migration, the timestamps of its lifecycle events: requested, writes paused, switched, and its end. The timestamps
 * are the controller's clock, so durations between them do not depend on how fast the benchmark polls. Not
 * thread-safe: one caller.
 */
final class MigrationEvents implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    /** Where the switch's reason says the pause went (DrainProgress): "(asked N ms into the pause, answered M ms later)". */
    private static final Pattern PAUSE_TIMING = Pattern.compile(
            "\\(asked (\\d+) ms into the pause(?:, answered (\\d+) ms later)?");

    /** Lifecycle timestamps (ms since the epoch) of one migration; -1 for a step not seen (yet). */
    static final class Times {
        long requested = -1;
        long paused = -1;
        long switched = -1;
        long ended = -1;
        MigrationState end;
        /** How the controller saw the drain end: "answer" (the target's own), "heartbeats", or "-" (not switched). */
        String drainSeenBy = "-";
        /** Into the pause when the controller asked the target (the pause's transaction), in ms; NaN if not said. */
        double askedMs = Double.NaN;
        /** From that question to the target's answer that it applied the pause fence, in ms; NaN if not said. */
        double answeredMs = Double.NaN;

        /** Writes paused to switched, in ms; NaN if either is missing. */
        double pauseMs() {
            return paused < 0 || switched < 0 ? Double.NaN : switched - paused;
        }

        /** Requested to completed (or failed, cancelled), in ms; NaN if either is missing. */
        double totalMs() {
            return requested < 0 || ended < 0 ? Double.NaN : ended - requested;
        }

        /** Requested to writes paused (validation), in ms; NaN if either is missing. */
        double validateMs() {
            return requested < 0 || paused < 0 ? Double.NaN : paused - requested;
        }
    }

    private final KafkaConsumer<String, MigrationEvent> consumer;
    private final Map<String, Times> migrations = new HashMap<>();

    MigrationEvents(String bootstrap) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "meridian-bench-migrations",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(props, Topics.MIGRATIONS.keySerde().deserializer(),
                Topics.MIGRATIONS.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.MIGRATIONS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The migration's timestamps once its end event is read, or what was read of them after {@code timeout}. */
    Optional<Times> awaitEnd(String migrationId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Times times = migrations.get(migrationId);
            if (times != null && times.end != null) {
                return Optional.of(times);
            }
            for (ConsumerRecord<String, MigrationEvent> record : consumer.poll(POLL)) {
                if (record.value() != null) {
                    fold(record.value());
                }
            }
        }
        return Optional.ofNullable(migrations.get(migrationId));
    }

    private void fold(MigrationEvent event) {
        Times times = migrations.computeIfAbsent(event.migrationId(), id -> new Times());
        if (event instanceof MigrationEvent.Requested) {
            times.requested = event.timestamp();
        } else if (event instanceof MigrationEvent.StateChanged changed) {
            switch (changed.state()) {
                case WRITES_PAUSED -> times.paused = changed.timestamp();
                case SWITCHED -> {
                    times.switched = changed.timestamp();
                    times.drainSeenBy = changed.reason().contains(" answered (") ? "answer"
                            : changed.reason().contains("heartbeats") ? "heartbeats" : "-";
                    double[] timing = pauseTiming(changed.reason());
                    times.askedMs = timing[0];
                    times.answeredMs = timing[1];
                }
                default -> {
                    if (changed.state().isTerminal()) {
                        times.ended = changed.timestamp();
                        times.end = changed.state();
                    }
                }
            }
        }
    }

    /** {asked, answered} in ms from a switch's reason, NaN where it says nothing. */
    static double[] pauseTiming(String reason) {
        Matcher timing = PAUSE_TIMING.matcher(reason);
        if (!timing.find()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {Double.parseDouble(timing.group(1)),
                timing.group(2) == null ? Double.NaN : Double.parseDouble(timing.group(2))};
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
