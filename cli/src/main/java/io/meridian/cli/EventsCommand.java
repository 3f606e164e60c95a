package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topic;
import io.meridian.infra.topics.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meridianctl events tail}: the raw event stream of the catalog's topics, for operators. Every record is read
 * as bytes and printed as JSON ({@link Json#readTree}), so the tail never stops at a record it cannot map: a value
 * that is not JSON is printed as text after {@code !not-json(...)}, a JSON value the catalog's serde refuses after
 * {@code !unmapped(...)}.
 */
@Command(name = "events", description = "Meridian's event topics, raw.", sortOptions = false)
final class EventsCommand implements Runnable {
    static final String PREFIX = "meridian.";
    /** What {@code events tail} shows without {@code --topic}: the event logs, not the periodic or data topics. */
    static final List<String> DEFAULT_TOPICS = List.of("migrations", "controller", "placements", "conflicts", "dlq");

    @Mixin
    CommandGroup group;

    @Override
    public void run() {
        throw group.missingCommand("tail");
    }

    /** Alias (the name without {@value #PREFIX}) → catalog topic, in catalog order. */
    static Map<String, Topic<?, ?>> catalog() {
        Map<String, Topic<?, ?>> byAlias = new LinkedHashMap<>();
        Topics.ALL.forEach(t -> byAlias.put(t.name().startsWith(PREFIX) ? t.name().substring(PREFIX.length())
                : t.name(), t));
        return byAlias;
    }

    /** For the help text: the valid {@code --topic} values. */
    static final class TopicAliases implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return catalog().keySet().iterator();
        }
    }

    @Command(name = "tail", sortOptions = false,
            description = "Print each record's time, topic, partition:offset, key and JSON value, as it arrives.")
    int tail(@Option(names = "--topic", split = ",", paramLabel = "TOPIC", completionCandidates = TopicAliases.class,
                     description = "One or more of: ${COMPLETION-CANDIDATES} (or the full name). Default: migrations,"
                             + " controller, placements, conflicts, dlq.") List<String> topics,
             @Option(names = "--from-beginning", description = "Start at the beginning of the topics, not the end.")
             boolean fromBeginning,
             @Option(names = "--limit", paramLabel = "N", description = "Exit after N records.") Integer limit,
             @Option(names = "--http", description = "Poll the node's admin API instead of reading Kafka (also when"
                     + " Kafka does not answer from here within 5 s or no bootstrap servers are set): migrations and"
                     + " placements only.") boolean http,
             @Option(names = "--poll-interval", paramLabel = "DURATION",
                     defaultValue = FollowSource.DEFAULT_POLL_INTERVAL,
                     description = "How often to poll the node over HTTP (ISO-8601, default ${DEFAULT-VALUE};"
                             + " placements every " + NodeFollow.PLACEMENT_SWEEP_FACTOR + " times that).")
             java.time.Duration pollInterval) {
        if (limit != null && limit < 1) {
            throw new CommandLine.ParameterException(group.commandLine(), "--limit must be at least 1, got " + limit);
        }
        List<Topic<?, ?>> selected = resolve(topics == null || topics.isEmpty() ? DEFAULT_TOPICS : topics);
        Map<String, Topic<?, ?>> byName = new LinkedHashMap<>();
        selected.forEach(t -> byName.put(t.name(), t));
        Printer printer = group.root().printer();
        int[] printed = {0};
        java.time.Duration interval = FollowSource.pollInterval(pollInterval);
        PrintWriter err = group.commandLine().getErr();
        Optional<Tail> kafka = FollowSource.kafka(group.root(), http, List.copyOf(byName.keySet()), interval, err);
        if (kafka.isPresent()) {
            try (Tail tail = kafka.get()) {
                tail.run(List.copyOf(byName.keySet()), fromBeginning, () -> true, record -> {
                    print(printer, byName.get(record.topic()), record);
                    printed[0]++;
                    return limit == null || printed[0] < limit;
                });
            }
            return ExitCode.OK;
        }
        boolean migrations = byName.containsKey(Topics.MIGRATIONS.name());
        boolean placements = byName.containsKey(Topics.PLACEMENTS.name());
        List<String> kafkaOnly = byName.keySet().stream().filter(t -> !t.equals(Topics.MIGRATIONS.name())
                && !t.equals(Topics.PLACEMENTS.name())).map(EventsCommand::alias).toList();
        if (!migrations && !placements) {
            throw new CliException(ExitCode.UNAVAILABLE, "kafka_unavailable", String.join(", ", kafkaOnly)
                    + " can only be read from Kafka; over HTTP the node shows migrations and placements");
        }
        if (!kafkaOnly.isEmpty()) {
            err.println("note: not followed over HTTP (only Kafka has them): " + String.join(", ", kafkaOnly));
            err.flush();
        }
        new NodeFollow(group.root().api(), err, interval).run(Optional.empty(), Optional.empty(), migrations,
                placements, fromBeginning, new NodeFollow.Sink() {
                    @Override
                    public boolean migration(MigrationEvent event) {
                        print(printer, Topics.MIGRATIONS.name(), null, null, event.timestamp(), event.tenant(),
                                Optional.of(Json.toTree(event)), null, null, null);
                        return limit == null || ++printed[0] < limit;
                    }

                    @Override
                    public boolean placement(String tenant, JsonNode placement, long observedAt) {
                        print(printer, Topics.PLACEMENTS.name(), null, null, observedAt, tenant,
                                Optional.ofNullable(placement), placement == null ? null : "", null, null);
                        return limit == null || ++printed[0] < limit;
                    }
                });
        return ExitCode.OK;
    }

    static String alias(String topic) {
        return topic.startsWith(PREFIX) ? topic.substring(PREFIX.length()) : topic;
    }

    private List<Topic<?, ?>> resolve(List<String> names) {
        Map<String, Topic<?, ?>> catalog = catalog();
        List<Topic<?, ?>> topics = new ArrayList<>();
        for (String raw : names) {
            String name = raw.strip();
            String alias = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
            Topic<?, ?> topic = catalog.get(alias);
            if (topic == null) {
                throw new CommandLine.ParameterException(group.commandLine(), "unknown topic '" + name
                        + "': use one of " + String.join(", ", catalog.keySet()));
            }
            if (!topics.contains(topic)) {
                topics.add(topic);
            }
        }
        return topics;
    }

    static void print(Printer printer, Topic<?, ?> topic, ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Optional<JsonNode> value = Optional.empty();
        String problem = null;
        String kind = null;
        if (record.value() != null) {
            try {
                value = Optional.of(Json.readTree(record.value()));
                try {  // readable JSON; would Meridian itself accept it?
                    topic.valueSerde().deserializer().deserialize(record.topic(), record.value());
                } catch (RuntimeException e) {
                    kind = "unmapped";
                    problem = e.getMessage();
                }
            } catch (IllegalArgumentException e) {
                kind = "not-json";
                problem = e.getMessage();
            }
        }
        print(printer, record.topic(), record.partition(), record.offset(), record.timestamp(), key, value,
                record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8), kind, problem);
    }

    /**
     * One line: {@code partition} and {@code offset} null for an event seen over HTTP (it has no position);
     * {@code raw} null for a tombstone, else the value's text when it is not JSON.
     */
    static void print(Printer printer, String topic, Integer partition, Long offset, long timestamp, String key,
                      Optional<JsonNode> value, String raw, String kind, String problem) {
        if (printer.json()) {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("topic", topic);
            line.put("partition", partition);
            line.put("offset", offset);
            line.put("timestamp", MigrationWatch.time(timestamp));
            line.put("key", key);
            if (raw == null && value.isEmpty()) {
                line.putNull("value");
            } else if (value.isPresent()) {
                line.set("value", value.get());
            } else {
                line.put("raw", raw);
            }
            if (problem != null) {
                line.put("unreadable", kind + ": " + problem);
            }
            printer.json(line);
            return;
        }
        String shown = raw == null && value.isEmpty() ? "<tombstone>" : value.map(Json::writeString).orElse(raw);
        printer.line(MigrationWatch.time(timestamp) + "  " + Printer.pad(alias(topic), 15) + "  "
                + Printer.pad(partition == null ? Printer.NONE : partition + ":" + offset, 7) + "  "
                + Printer.pad(key == null ? Printer.NONE : key, 10) + "  "
                + (problem == null ? "" : "!" + kind + "(" + oneLine(problem) + ") ") + shown);
    }

    private static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "..." : flat;
    }
}
