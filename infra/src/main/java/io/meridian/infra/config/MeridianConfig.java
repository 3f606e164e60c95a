package io.meridian.infra.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * A node's configuration, declared once with Kafka's {@link ConfigDef}: every key has a type, default, validator,
 * importance and doc string. Values come from a properties file, overridden by {@code MERIDIAN_*} environment
 * variables ({@code MERIDIAN_HTTP_PORT} sets {@code http.port}). Any invalid value fails construction with a
 * {@link ConfigException} naming the key. Keys starting with {@code kafka.} are passed to every Kafka client without
 * the prefix (e.g. {@code kafka.security.protocol}). A node loads it with {@link ConfigKeys#load}, which refuses keys
 * it does not know. Immutable.
 *
 * <p>The node's own keys (region, Kafka, topics, streams, state) are declared here; every other area has a class that
 * declares its keys and checks the rules that span them: {@link RouterConfigs}, {@link SecurityConfigs},
 * {@link ElectionConfigs}, {@link ControllerConfigs}, {@link IngestConfigs}. The typed accessors of all keys are
 * here.
 */
public final class MeridianConfig extends AbstractConfig {
    public static final String ENV_PREFIX = "MERIDIAN_";

    public static final String REGION = "region";
    public static final String NODE_ID = "node.id";
    public static final String REGIONS = "regions";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String STATE_DIR = "state.dir";
    public static final String WAL_PARTITIONS = "wal.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String TOPICS_MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String STREAMS_COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    public static final String STREAMS_NUM_THREADS = "streams.num.threads";
    public static final String ADVERTISED_URL = "advertised.url";
    public static final String STREAMS_NUM_STANDBY_REPLICAS = "streams.num.standby.replicas";

    /**
     * bench --only write on meridian local (12 WAL partitions, one node a region): at 1 s one writer's p99 was 252-302
     * ms and 64 writers got 314-328 writes/s; at 3 s, 50 ms and 518 writes/s. Streams' own exactly-once default is
     * 100 ms; its transaction timeout (10 s) bounds how far this may go.
     */
    public static final long DEFAULT_STREAMS_COMMIT_INTERVAL_MS = 3_000L;

    public static final ConfigDef DEF = define(new ConfigDef());

    /**
     * Every key: this node's own (region, Kafka, topics, the applier), then each area's. A {@link ConfigDef} keeps the
     * order its keys are defined in, which is the order of the README's settings table.
     */
    private static ConfigDef define(ConfigDef def) {
        def.define(REGION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, RegionSettings.regionName(), Importance.HIGH,
                "The region this node serves, e.g. us-east. Must be one of the names in 'regions'.");
        def.define(NODE_ID, Type.STRING, "", Importance.MEDIUM,
                "This node's id, unique in the cluster. Empty: <region>-<http.port>.");
        def.define(REGIONS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, RegionSettings.regionUrls(), Importance.HIGH,
                "Every region and the base URL its clients and other regions reach it at, as"
                        + " name=url pairs: us-east=https://us-east.example.com,eu-west=https://eu-west.example.com."
                        + " Redirects use these URLs, never the request's Host header.");
        def.define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                Importance.HIGH, "Kafka bootstrap servers, host:port[,host:port].");
        def.define(STATE_DIR, Type.STRING, ".meridian/state", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                "Directory for this node's local state (the applier's RocksDB stores).");
        def.define(WAL_PARTITIONS, Type.INT, 12, Range.between(1, 10_000), Importance.MEDIUM,
                "Partitions of meridian.wal. Tenants map to partitions by hash; fixed once the topic exists.");
        def.define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(1, 32), Importance.MEDIUM,
                "Replication factor of every Meridian topic.");
        def.define(TOPICS_MIN_INSYNC_REPLICAS, Type.INT, 2, Range.between(1, 32), Importance.MEDIUM,
                "min.insync.replicas of every Meridian topic; with acks=all an acknowledged record is on at"
                        + " least this many brokers.");
        def.define(STREAMS_COMMIT_INTERVAL_MS, Type.LONG, DEFAULT_STREAMS_COMMIT_INTERVAL_MS,
                Range.between(10L, 60_000L), Importance.LOW,
                "Commit interval of the region applier (exactly_once_v2). Writes are acknowledged when applied,"
                        + " not committed, but each commit holds the applier's thread while Kafka Streams flushes its"
                        + " tasks' changelogs one task after the other (a produce round trip each), and writes that"
                        + " arrive meanwhile wait: a longer interval, fewer such waits. After a crash up to this much is"
                        + " re-applied, and the applier's own outputs (sync snapshots, conflicts, DLQ) reach"
                        + " read_committed readers up to this much later.");
        def.define(STREAMS_NUM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                "Stream threads of the region applier.");
        def.define(ADVERTISED_URL, Type.STRING, "", Importance.MEDIUM,
                "The URL other nodes reach THIS node at (admin requests are forwarded to the controller's; in a"
                        + " region of several nodes, data requests to the node that owns the tenant's WAL"
                        + " partition). Empty: this region's URL from 'regions', with http.port as the port"
                        + " for node-to-node forwarding. Set it on every node when a region has several nodes.");
        def.define(STREAMS_NUM_STANDBY_REPLICAS, Type.INT, 1, Range.between(0, 8), Importance.LOW,
                "Standby copies of each WAL partition's applier state kept on OTHER nodes of the region (Kafka"
                        + " Streams num.standby.replicas). With several nodes per region a standby makes the new"
                        + " owner's restore after a node leaves short; a region of one node keeps none.");
        RouterConfigs.define(def);
        SecurityConfigs.define(def);
        ElectionConfigs.define(def);
        ControllerConfigs.define(def);
        return IngestConfigs.define(def);
    }

    private final Map<String, URI> regionUrls;

    public MeridianConfig(Map<?, ?> values) {
        super(DEF, values, false);
        this.regionUrls = RegionSettings.parseRegionUrls(getList(REGIONS));
        sanityCheck();
    }

    /**
     * Reads {@code file} (optional) and overlays {@code MERIDIAN_*} variables of {@code env}; keys neither declares are
     * ignored. A node loads with {@link ConfigKeys#load}, which refuses them.
     */
    public static MeridianConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>(read(file));
        values.putAll(fromEnvironment(env));
        return new MeridianConfig(values);
    }

    /** The keys and values of a properties file ({@code null}: none), values trimmed. */
    public static Map<String, String> read(Path file) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
            }
            properties.forEach((k, v) -> values.put(k.toString(), v.toString().trim()));
        }
        return values;
    }

    /**
     * {@code MERIDIAN_*} variables that are not configuration keys: {@code bin/meridian}'s JVM options, and
     * {@code meridianctl}'s node URL, home and token file, which a shell that runs both may well export.
     */
    public static final Set<String> OTHER_VARIABLES = Set.of("MERIDIAN_JAVA_OPTS", "MERIDIAN_HOME", "MERIDIAN_URL",
            "MERIDIAN_TOKEN_FILE");

    /** {@code MERIDIAN_HTTP_PORT=8081} becomes {@code http.port=8081}; {@link #OTHER_VARIABLES} are not settings. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()
                    && !OTHER_VARIABLES.contains(name)) {
                values.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return values;
    }

    private void sanityCheck() {
        String region = region();
        if (!regionUrls.containsKey(region)) {
            throw new ConfigException(REGION + "=" + region + " is not among " + REGIONS + "=" + regionUrls.keySet()
                    + ": add it to " + REGIONS + " with its URL");
        }
        ControllerConfigs.check(this, regionUrls.keySet());
        ElectionConfigs.check(this);
        int minIsr = getInt(TOPICS_MIN_INSYNC_REPLICAS);
        short rf = getShort(TOPICS_REPLICATION_FACTOR);
        if (minIsr > rf) {
            throw new ConfigException(TOPICS_MIN_INSYNC_REPLICAS + "=" + minIsr + " exceeds "
                    + TOPICS_REPLICATION_FACTOR + "=" + rf + ": no write could ever be acknowledged");
        }
    }

    public String region() {
        return getString(REGION);
    }

    public String nodeId() {
        String id = getString(NODE_ID);
        return id.isEmpty() ? region() + "-" + httpPort() : id;
    }

    /** Every region and its base URL, in configured order. */
    public Map<String, URI> regionUrls() {
        return regionUrls;
    }

    public String httpHost() {
        return getString(RouterConfigs.HTTP_HOST);
    }

    public int httpPort() {
        return getInt(RouterConfigs.HTTP_PORT);
    }

    public int maxBodyBytes() {
        return getInt(RouterConfigs.HTTP_MAX_BODY_BYTES);
    }

    /** The admin token, or empty when none is configured (the admin API then refuses everyone). */
    public String adminToken() {
        Password token = getPassword(SecurityConfigs.ADMIN_TOKEN);
        return token == null ? "" : token.value();
    }

    /** The read-only admin token, or empty. */
    public String adminReadToken() {
        Password token = getPassword(SecurityConfigs.ADMIN_READ_TOKEN);
        return token == null ? "" : token.value();
    }

    /** The admin token file, if one is configured. */
    public Optional<Path> adminTokenFile() {
        String file = getString(SecurityConfigs.ADMIN_TOKEN_FILE);
        return file == null || file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    public String bootstrapServers() {
        return getString(KAFKA_BOOTSTRAP_SERVERS);
    }

    public String zookeeperConnect() {
        return getString(ElectionConfigs.ZOOKEEPER_CONNECT);
    }

    public Path stateDir() {
        return Path.of(getString(STATE_DIR));
    }

    public int walPartitions() {
        return getInt(WAL_PARTITIONS);
    }

    public short replicationFactor() {
        return getShort(TOPICS_REPLICATION_FACTOR);
    }

    public int minInsyncReplicas() {
        return getInt(TOPICS_MIN_INSYNC_REPLICAS);
    }

    public Duration writeApplyTimeout() {
        return Duration.ofMillis(getLong(RouterConfigs.WRITE_APPLY_TIMEOUT_MS));
    }

    /** {@link RouterConfigs#WRITE_SHED_AFTER_MS}; zero: never. */
    public Duration writeShedAfter() {
        return Duration.ofMillis(getLong(RouterConfigs.WRITE_SHED_AFTER_MS));
    }

    public Duration writePauseBudget() {
        return Duration.ofMillis(getLong(RouterConfigs.WRITE_PAUSE_BUDGET_MS));
    }

    public Duration readMinPositionWait() {
        return Duration.ofMillis(getLong(RouterConfigs.READ_MIN_POSITION_WAIT_MS));
    }

    public Duration readConcernTimeout() {
        return Duration.ofMillis(getLong(RouterConfigs.READ_CONCERN_TIMEOUT_MS));
    }

    /** {@code consistency.check.interval.ms}; zero: no continuous check. */
    public Duration consistencyCheckInterval() {
        return Duration.ofMillis(getLong(ControllerConfigs.CONSISTENCY_CHECK_INTERVAL_MS));
    }

    public int consistencyCheckTenants() {
        return getInt(ControllerConfigs.CONSISTENCY_CHECK_TENANTS);
    }

    public int retryAfterSeconds() {
        return getInt(RouterConfigs.RETRY_AFTER_SECONDS);
    }

    public Duration placementCacheTtl() {
        return Duration.ofMillis(getLong(RouterConfigs.PLACEMENT_CACHE_TTL_MS));
    }

    public long placementCacheMaxTenants() {
        return getLong(RouterConfigs.PLACEMENT_CACHE_MAX_TENANTS);
    }

    public long streamsCommitIntervalMs() {
        return getLong(STREAMS_COMMIT_INTERVAL_MS);
    }

    public int streamsNumThreads() {
        return getInt(STREAMS_NUM_THREADS);
    }

    /** The URL other nodes reach this node at. */
    public URI advertisedUrl() {
        String url = getString(ADVERTISED_URL);
        return url.isEmpty() ? regionUrls.get(region()) : URI.create(url);
    }

    /**
     * This node's {@code host:port} as the other nodes of its region reach it: Kafka Streams' {@code
     * application.server}, which the routers use to find the node owning a tenant's WAL partition. From
     * {@code advertised.url} when set (its port, or the scheme's default), else the region URL's host and
     * {@code http.port}.
     */
    public String nodeEndpoint() {
        String url = getString(ADVERTISED_URL);
        if (url.isEmpty()) {
            return regionUrls.get(region()).getHost() + ":" + httpPort();
        }
        URI advertised = URI.create(url);
        int port = advertised.getPort() > 0 ? advertised.getPort()
                : "https".equalsIgnoreCase(advertised.getScheme()) ? 443 : 80;
        return advertised.getHost() + ":" + port;
    }

    /** The scheme ({@code http} or {@code https}) the nodes of this region speak to each other. */
    public String nodeScheme() {
        String scheme = advertisedUrl().getScheme();
        return scheme == null ? "http" : scheme;
    }

    public int streamsNumStandbyReplicas() {
        return getInt(STREAMS_NUM_STANDBY_REPLICAS);
    }

    public Duration routingRebalanceWait() {
        return Duration.ofMillis(getLong(RouterConfigs.ROUTING_REBALANCE_WAIT_MS));
    }

    public String electionBackend() {
        return getString(ElectionConfigs.ELECTION_BACKEND);
    }

    /**
     * The ZooKeeper connect string, for the zookeeper election backend. Checked when the elector starts rather than
     * at construction, so that components without an elector (tests, tools) need no ZooKeeper.
     */
    public String requireZookeeperConnect() {
        if (zookeeperConnect().isBlank()) {
            throw new ConfigException(ElectionConfigs.ELECTION_BACKEND + "=" + ElectionConfigs.BACKEND_ZOOKEEPER
                    + " needs " + ElectionConfigs.ZOOKEEPER_CONNECT + ": set it, or set "
                    + ElectionConfigs.ELECTION_BACKEND + "=" + ElectionConfigs.BACKEND_KAFKA);
        }
        return zookeeperConnect();
    }

    /** {@value ElectionConfigs#ZOOKEEPER_AUTH_SCHEME}: none, digest or sasl. */
    public String zookeeperAuthScheme() {
        return getString(ElectionConfigs.ZOOKEEPER_AUTH_SCHEME);
    }

    /** {@value ElectionConfigs#ZOOKEEPER_AUTH_FILE}, if set (only with the digest scheme, checked at construction). */
    public Optional<Path> zookeeperAuthFile() {
        String file = getString(ElectionConfigs.ZOOKEEPER_AUTH_FILE);
        return file.isBlank() ? Optional.empty() : Optional.of(Path.of(file));
    }

    /** {@value ElectionConfigs#ZOOKEEPER_ACL}: open, creator or creator-world-read. */
    public String zookeeperAcl() {
        return getString(ElectionConfigs.ZOOKEEPER_ACL);
    }

    /** Region priorities for failover; regions not named have 0. */
    public Map<String, Integer> regionPriorities() {
        Map<String, Integer> priorities = new LinkedHashMap<>();
        for (String entry : getList(ControllerConfigs.FAILOVER_REGION_PRIORITIES)) {
            int eq = entry.indexOf('=');
            priorities.put(entry.substring(0, eq).trim(), Integer.parseInt(entry.substring(eq + 1).trim()));
        }
        return priorities;
    }

    public boolean ingestEnabled() {
        return getBoolean(IngestConfigs.INGEST_ENABLED);
    }

    public String ingestGroupId() {
        return getString(IngestConfigs.INGEST_GROUP_ID);
    }

    public int ingestMaxInFlight() {
        return getInt(IngestConfigs.INGEST_MAX_IN_FLIGHT);
    }

    public Duration ingestRetryBudget() {
        return Duration.ofMillis(getLong(IngestConfigs.INGEST_RETRY_BUDGET_MS));
    }

    /**
     * Properties every Kafka client of this node starts from: the bootstrap servers, {@code client.rack} = region, and
     * every {@code kafka.*} key without its prefix.
     */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new HashMap<>(originalsWithPrefix("kafka."));
        props.put("bootstrap.servers", bootstrapServers());
        props.put("client.rack", region());
        return props;
    }
}
