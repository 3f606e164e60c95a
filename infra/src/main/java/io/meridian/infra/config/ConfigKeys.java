package io.meridian.infra.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The catalogue of known configuration keys, {@link MeridianConfig#DEF}, as operators meet it: the check that stops a
 * node on a key it does not know (a typo would otherwise leave a setting at its default without a word), naming the
 * closest known key, and the settings table of the README. Keys under {@value #KAFKA_PREFIX} must be Kafka client
 * settings (producer, consumer or admin). Stateless.
 */
public final class ConfigKeys {
    public static final String KAFKA_PREFIX = "kafka.";
    /** {@link MeridianConfig#OTHER_VARIABLES}. */
    public static final Set<String> OTHER_VARIABLES = MeridianConfig.OTHER_VARIABLES;

    private static final Set<String> KAFKA_CLIENT_KEYS = kafkaClientKeys();

    private ConfigKeys() {
    }

    /**
     * A node's configuration: {@code file} (optional) overlaid with the {@code MERIDIAN_*} variables of {@code env}.
     *
     * @throws ConfigException naming a key of the file or a variable that is not in the catalogue, and the closest
     *                         known key; or an invalid value, naming its key
     */
    public static MeridianConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>(MeridianConfig.read(file));
        if (file != null) {
            requireKnown(values.keySet(), file.toString());
        }
        requireKnownEnvironment(env);
        values.putAll(MeridianConfig.fromEnvironment(env));
        return new MeridianConfig(values);
    }

    /** Every Meridian key, in the order {@link MeridianConfig#DEF} declares them. */
    public static List<String> names() {
        return List.copyOf(MeridianConfig.DEF.configKeys().keySet());
    }

    /** Whether {@code key} is a Meridian key or {@value #KAFKA_PREFIX} + a Kafka client setting. */
    public static boolean isKnown(String key) {
        return MeridianConfig.DEF.configKeys().containsKey(key)
                || key.startsWith(KAFKA_PREFIX) && KAFKA_CLIENT_KEYS.contains(key.substring(KAFKA_PREFIX.length()));
    }

    /** {@code failover.enabled} → {@code MERIDIAN_FAILOVER_ENABLED}. */
    public static String environmentName(String key) {
        return MeridianConfig.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /**
     * Throws naming the first unknown key of {@code values} (in key order) and the closest known one.
     *
     * @param source where the values come from, for the message ({@code "node.properties"})
     */
    public static void requireKnown(Collection<String> keys, String source) {
        for (String key : new TreeSet<>(keys)) {
            if (!isKnown(key)) {
                throw new ConfigException("unknown configuration key '" + key + "' in " + source + suggestion(key,
                        closest(key).map(k -> "'" + k + "'")));
            }
        }
    }

    /** Throws naming the first {@code MERIDIAN_*} variable of {@code env} that sets no known key, and the closest. */
    public static void requireKnownEnvironment(Map<String, String> env) {
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith(MeridianConfig.ENV_PREFIX) || name.length() == MeridianConfig.ENV_PREFIX.length()
                    || OTHER_VARIABLES.contains(name)) {
                continue;
            }
            String key = MeridianConfig.fromEnvironment(Map.of(name, "")).keySet().iterator().next();
            if (!isKnown(key)) {
                throw new ConfigException("unknown environment variable " + name + " (it would set '" + key + "')"
                        + suggestion(key, closest(key).map(k -> environmentName(k) + " ('" + k + "')")));
            }
        }
    }

    private static String suggestion(String key, Optional<String> closest) {
        return closest.map(k -> ": did you mean " + k + "?").orElse("") + " Known keys: bin/meridian settings,"
                + " or the README's Configuration section";
    }

    /**
     * The known key nearest to {@code key} by edit distance: among Meridian's keys, and among the Kafka client
     * settings for a key under {@value #KAFKA_PREFIX}. Empty when nothing is even half alike.
     */
    public static Optional<String> closest(String key) {
        List<String> candidates = new ArrayList<>(names());
        if (key.startsWith(KAFKA_PREFIX)) {
            KAFKA_CLIENT_KEYS.forEach(k -> candidates.add(KAFKA_PREFIX + k));
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(3, key.length() / 2) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * The settings table of the README's Configuration section, made from {@link MeridianConfig#DEF}: key,
     * environment variable, default, meaning. A test keeps the README equal to it; {@code bin/meridian settings}
     * prints it.
     */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| key (environment variable) | default | meaning |\n|---|---|---|\n");
        for (ConfigKey key : MeridianConfig.DEF.configKeys().values()) {
            table.append("| `").append(key.name).append("` (`").append(environmentName(key.name)).append("`) | ")
                    .append(defaultText(key)).append(" | ")
                    .append(key.documentation.replace("|", "\\|").replace("<", "&lt;")).append(" |\n");
        }
        return table.toString();
    }

    private static String defaultText(ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        Object value = key.defaultValue;
        if (value instanceof Password password) {
            value = password.value();
        } else if (value instanceof List<?> list) {
            value = String.join(",", list.stream().map(Object::toString).toList());
        }
        String text = String.valueOf(value);
        return text.isEmpty() ? "empty" : "`" + text + "`";
    }

    private static Set<String> kafkaClientKeys() {
        Set<String> keys = new TreeSet<>(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return Set.copyOf(keys);
    }
}
