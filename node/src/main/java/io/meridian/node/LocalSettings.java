package io.meridian.node;

import io.meridian.infra.config.ConfigKeys;
import io.meridian.infra.config.ElectionConfigs;
import io.meridian.infra.config.MeridianConfig;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.config.SecurityConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;

/**
 * The node settings a user gives {@code meridian local}: {@code --node-config [REGION:]FILE} and {@code --set
 * [REGION:]KEY=VALUE}, for every node or for one region's. Later beats earlier: files, then {@code --set}; a region's
 * settings beat those for every node. Every key is checked against the catalogue ({@link ConfigKeys}) and every
 * region's result against {@link MeridianConfig}'s validators before anything starts; keys the deployment sets itself
 * (ports, URLs, addresses, the token, the data directory) are refused with the option that sets them. Immutable.
 */
final class LocalSettings {
    /** Keys {@code meridian local} sets for each node, and what to use instead. */
    static final Map<String, String> RESERVED = reserved();

    private final Map<String, String> everyNode;
    private final Map<String, Map<String, String>> perRegion;

    private LocalSettings(Map<String, String> everyNode, Map<String, Map<String, String>> perRegion) {
        this.everyNode = Map.copyOf(everyNode);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        perRegion.forEach((region, settings) -> copy.put(region, Map.copyOf(settings)));
        this.perRegion = Map.copyOf(copy);
    }

    /**
     * @param files {@code --node-config} values, {@code FILE} or {@code REGION:FILE}
     * @param sets  {@code --set} values, {@code KEY=VALUE} or {@code REGION:KEY=VALUE}
     * @throws ConfigException naming the option, key or file that is wrong
     */
    static LocalSettings parse(List<String> files, List<String> sets) {
        Map<String, String> everyNode = new LinkedHashMap<>();
        Map<String, Map<String, String>> fromFiles = new LinkedHashMap<>();
        Map<String, Map<String, String>> fromSets = new LinkedHashMap<>();
        for (String option : files) {
            String[] scoped = scope(option, option.length(), "--node-config", false);
            Path file = Path.of(scoped[1]);
            Map<String, String> values = read(file);
            check(values, file.toString());
            (scoped[0] == null ? everyNode : fromFiles.computeIfAbsent(scoped[0], r -> new LinkedHashMap<>()))
                    .putAll(values);
        }
        for (String option : sets) {
            int eq = option.indexOf('=');
            if (eq < 0) {
                throw new ConfigException("--set " + option + ": expected KEY=VALUE or REGION:KEY=VALUE");
            }
            String[] scoped = scope(option, eq, "--set", true);
            String key = scoped[1].substring(0, scoped[1].indexOf('=')).trim();
            String value = scoped[1].substring(scoped[1].indexOf('=') + 1).trim();
            check(Map.of(key, value), "--set " + option);
            (scoped[0] == null ? everyNode : fromSets.computeIfAbsent(scoped[0], r -> new LinkedHashMap<>()))
                    .put(key, value);
        }
        Map<String, Map<String, String>> perRegion = new LinkedHashMap<>();
        for (String region : LocalDeployment.REGIONS) {
            Map<String, String> settings = new LinkedHashMap<>(fromFiles.getOrDefault(region, Map.of()));
            settings.putAll(fromSets.getOrDefault(region, Map.of()));
            if (!settings.isEmpty()) {
                perRegion.put(region, settings);
            }
        }
        LocalSettings parsed = new LocalSettings(everyNode, perRegion);
        parsed.validate();
        return parsed;
    }

    /** Settings for every node. */
    Map<String, String> everyNode() {
        return everyNode;
    }

    /** Settings for {@code region}'s nodes on top of {@link #everyNode()}. */
    Map<String, String> region(String region) {
        return perRegion.getOrDefault(region, Map.of());
    }

    /** The regions with settings of their own. */
    Map<String, Map<String, String>> perRegion() {
        return perRegion;
    }

    /**
     * {@code [REGION:]REST} → {region or null, REST}; a prefix counts as a region only before {@code end}.
     *
     * @param strict whether a prefix that names no region is an error (a key has no colon) or part of REST (a path)
     */
    private static String[] scope(String option, int end, String name, boolean strict) {
        int colon = option.indexOf(':');
        if (colon < 0 || colon > end) {
            return new String[] {null, option};
        }
        String region = option.substring(0, colon).trim();
        if (!LocalDeployment.REGIONS.contains(region)) {
            if (!strict) {
                return new String[] {null, option};
            }
            throw new ConfigException(name + " " + option + ": '" + region + "' is not a region of meridian local "
                    + LocalDeployment.REGIONS);
        }
        return new String[] {region, option.substring(colon + 1)};
    }

    private static void check(Map<String, String> values, String source) {
        ConfigKeys.requireKnown(values.keySet(), source);
        for (String key : values.keySet()) {
            if (RESERVED.containsKey(key)) {
                throw new ConfigException(source + ": meridian local sets '" + key + "' itself; "
                        + RESERVED.get(key));
            }
        }
    }

    // Each region's settings as the node would see them, with the deployment's own keys as stand-ins.
    private void validate() {
        for (String region : LocalDeployment.REGIONS) {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(MeridianConfig.REGION, region);
            values.put(MeridianConfig.REGIONS, LocalDeployment.REGIONS.stream().map(r -> r + "=http://127.0.0.1:1")
                    .collect(Collectors.joining(",")));
            values.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:1");
            values.putAll(everyNode);
            values.putAll(region(region));
            try {
                new MeridianConfig(values);
            } catch (ConfigException e) {
                throw new ConfigException("settings of the " + region + " nodes: " + e.getMessage());
            }
        }
    }

    private static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new ConfigException("--node-config: cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted()
                .forEach(key -> values.put(key, properties.getProperty(key).trim()));
        return values;
    }

    private static Map<String, String> reserved() {
        Map<String, String> reserved = new LinkedHashMap<>();
        String ports = "use --base-port";
        reserved.put(MeridianConfig.REGION, "every region runs");
        reserved.put(MeridianConfig.REGIONS, "its regions are " + LocalDeployment.REGIONS);
        reserved.put(MeridianConfig.NODE_ID, "each node is <region>-<n>");
        reserved.put(RouterConfigs.HTTP_HOST, "nodes listen on 127.0.0.1");
        reserved.put(RouterConfigs.HTTP_PORT, ports);
        reserved.put(MeridianConfig.ADVERTISED_URL, ports);
        reserved.put(MeridianConfig.KAFKA_BOOTSTRAP_SERVERS, "it runs its own brokers");
        reserved.put(ElectionConfigs.ZOOKEEPER_CONNECT, "it runs its own ZooKeeper");
        reserved.put(MeridianConfig.STATE_DIR, "use --data-dir");
        reserved.put(SecurityConfigs.ADMIN_TOKEN, "set MERIDIAN_ADMIN_TOKEN, or it keeps one in the data directory");
        return Map.copyOf(reserved);
    }
}
