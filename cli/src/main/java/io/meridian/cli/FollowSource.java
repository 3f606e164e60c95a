package io.meridian.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code migrate watch} and {@code events tail} read from: Kafka when it answers from the operator's machine,
 * else the node's admin API, polled ({@link NodeFollow}). Kafka is given {@link #KAFKA_REACH_TIMEOUT} to answer for
 * the topics' metadata and end offsets; no bootstrap servers configured, {@code --http}, or no answer in time mean
 * HTTP, said once on stderr with the reason. Wrong Kafka settings (authentication, TLS) stay an error: polling would
 * hide them. Stateless.
 */
final class FollowSource {
    /** How long Kafka gets to answer before the commands poll the node instead. */
    static final Duration KAFKA_REACH_TIMEOUT = Duration.ofSeconds(5);
    /** How often the node is polled, unless {@code --poll-interval} says otherwise. */
    static final String DEFAULT_POLL_INTERVAL = "PT1S";

    private FollowSource() {
    }

    /**
     * A tail on Kafka, positioned nowhere yet (the caller runs and closes it), or empty after telling {@code err} why
     * the node's API is polled instead.
     */
    static Optional<Tail> kafka(MeridianCtl root, boolean forceHttp, List<String> topics, Duration pollInterval,
                                PrintWriter err) {
        Tail[] tail = new Tail[1];
        String why = forceHttp ? "--http" : whyNotKafka(root, topics, tail);
        if (why == null) {
            return Optional.of(tail[0]);
        }
        err.println("note: polling the node at " + root.api().baseUrl() + " every "
                + String.format(Locale.ROOT, "%.1f s", pollInterval.toMillis() / 1000.0)
                + " instead of reading Kafka: " + why);
        err.flush();
        return Optional.empty();
    }

    /** Null with the tail in {@code opened[0]} when Kafka answers; else why it cannot be used (nothing left open). */
    private static String whyNotKafka(MeridianCtl root, List<String> topics, Tail[] opened) {
        String bootstrap;
        try {
            bootstrap = root.bootstrap();
        } catch (CliException e) {
            if (!e.code().equals("no_bootstrap")) {
                throw e;
            }
            return "no Kafka bootstrap servers are configured (--bootstrap or MERIDIAN_KAFKA_BOOTSTRAP_SERVERS)";
        }
        Tail tail;
        try {
            tail = new Tail(bootstrap, root.kafkaSettings(), Map.of());
        } catch (CliException e) {
            if (!e.code().equals(Tail.UNRESOLVABLE)) {
                throw e;
            }
            return e.getMessage() + " (check --bootstrap)";
        }
        Optional<String> unreachable;
        try {
            unreachable = tail.unreachable(topics, KAFKA_REACH_TIMEOUT);
        } catch (RuntimeException e) {
            tail.close();
            throw e;
        }
        if (unreachable.isPresent()) {
            tail.close();
            return unreachable.get() + " (check --bootstrap and --command-config; --http skips this wait)";
        }
        opened[0] = tail;
        return null;
    }

    /** {@code --poll-interval}: 100 ms to 1 min. */
    static Duration pollInterval(Duration requested) {
        if (requested.compareTo(Duration.ofMillis(100)) < 0 || requested.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new CliException(ExitCode.USAGE, "invalid_poll_interval", "--poll-interval " + requested
                    + ": use PT0.1S to PT1M");
        }
        return requested;
    }
}
