package io.meridian.infra.config;

import io.meridian.infra.model.Names;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
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
 * the prefix (e.g. {@code kafka.security.protocol}). Immutable.
 */
public final class MeridianConfig extends AbstractConfig {
    public static final String ENV_PREFIX = "MERIDIAN_";

    public static final String REGION = "region";
    public static final String NODE_ID = "node.id";
    public static final String REGIONS = "regions";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_MAX_BODY_BYTES = "http.max.body.bytes";
    public static final String ADMIN_TOKEN = "admin.token";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String STATE_DIR = "state.dir";
    public static final String WAL_PARTITIONS = "wal.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String TOPICS_MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String WRITE_APPLY_TIMEOUT_MS = "write.apply.timeout.ms";
    public static final String WRITE_PAUSE_BUDGET_MS = "write.pause.budget.ms";
    public static final String READ_MIN_POSITION_WAIT_MS = "read.min.position.wait.ms";
    public static final String RETRY_AFTER_SECONDS = "retry.after.seconds";
    public static final String PLACEMENT_CACHE_TTL_MS = "placement.cache.ttl.ms";
    public static final String PLACEMENT_CACHE_MAX_TENANTS = "placement.cache.max.tenants";
    public static final String STREAMS_COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    public static final String STREAMS_NUM_THREADS = "streams.num.threads";

    public static final ConfigDef DEF = new ConfigDef()
            .define(REGION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, regionName(), Importance.HIGH,
                    "The region this node serves, e.g. us-east. Must be one of the names in 'regions'.")
            .define(NODE_ID, Type.STRING, "", Importance.MEDIUM,
                    "This node's id, unique in the cluster. Empty: <region>-<http.port>.")
            .define(REGIONS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, regionUrlsValidator(), Importance.HIGH,
                    "Every region and the base URL its clients and other regions reach it at, as"
                            + " name=url pairs: us-east=https://us-east.example.com,eu-west=https://eu-west.example.com."
                            + " Redirects use these URLs, never the request's Host header.")
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "The address the HTTP server binds.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(1, 65535), Importance.HIGH,
                    "The port the HTTP server listens on.")
            .define(HTTP_MAX_BODY_BYTES, Type.INT, 1024 * 1024, Range.between(1, 64 * 1024 * 1024), Importance.MEDIUM,
                    "The largest request body accepted; larger ones get 413.")
            .define(ADMIN_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                    "Bearer token that admin requests (/admin/...) must carry. Empty: the admin API answers 401 to"
                            + " everyone.")
            .define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Kafka bootstrap servers, host:port[,host:port].")
            .define(ZOOKEEPER_CONNECT, Type.STRING, "", Importance.MEDIUM,
                    "ZooKeeper connect string for controller election; empty when the kafka election backend is used.")
            .define(STATE_DIR, Type.STRING, ".meridian/state", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Directory for this node's local state (the applier's RocksDB stores).")
            .define(WAL_PARTITIONS, Type.INT, 12, Range.between(1, 10_000), Importance.MEDIUM,
                    "Partitions of meridian.wal. Tenants map to partitions by hash; fixed once the topic exists.")
            .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) 3, Range.between(1, 32), Importance.MEDIUM,
                    "Replication factor of every Meridian topic.")
            .define(TOPICS_MIN_INSYNC_REPLICAS, Type.INT, 2, Range.between(1, 32), Importance.MEDIUM,
                    "min.insync.replicas of every Meridian topic; with acks=all an acknowledged record is on at"
                            + " least this many brokers.")
            .define(WRITE_APPLY_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(100L, 600_000L), Importance.MEDIUM,
                    "How long a write waits for Kafka's acknowledgement and the local applier's verdict before the"
                            + " client gets 503 (the write may still be applied: retry with the same Idempotency-Key).")
            .define(WRITE_PAUSE_BUDGET_MS, Type.LONG, 5_000L, Range.between(0L, 600_000L), Importance.MEDIUM,
                    "How long a write to a paused tenant is held before it gets 503 with Retry-After.")
            .define(READ_MIN_POSITION_WAIT_MS, Type.LONG, 2_000L, Range.between(0L, 60_000L), Importance.MEDIUM,
                    "How long a read with X-Meridian-Min-Position waits for the local applier to pass it.")
            .define(RETRY_AFTER_SECONDS, Type.INT, 1, Range.between(1, 3600), Importance.LOW,
                    "The Retry-After value of 503 answers.")
            .define(PLACEMENT_CACHE_TTL_MS, Type.LONG, 30_000L, Range.between(0L, 3_600_000L), Importance.LOW,
                    "Time-to-live of a cached placement. Changes invalidate at once; the TTL is a safety net.")
            .define(PLACEMENT_CACHE_MAX_TENANTS, Type.LONG, 100_000L, Range.between(1L, 100_000_000L), Importance.LOW,
                    "Most placements kept in the router's cache.")
            .define(STREAMS_COMMIT_INTERVAL_MS, Type.LONG, 1_000L, Range.between(10L, 60_000L), Importance.LOW,
                    "Commit interval of the region applier (exactly_once_v2). Writes are acknowledged when applied,"
                            + " not committed, so a longer interval shortens write latency tails (measured: p99 +60 ms"
                            + " at 100 ms, +6 ms at 1000 ms); after a crash up to this much is re-applied.")
            .define(STREAMS_NUM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
                    "Stream threads of the region applier.");

    private final Map<String, URI> regionUrls;

    public MeridianConfig(Map<?, ?> values) {
        super(DEF, values, false);
        this.regionUrls = parseRegionUrls(getList(REGIONS));
        sanityCheck();
    }

    /** Reads {@code file} (optional) and overlays {@code MERIDIAN_*} variables of {@code env}. */
    public static MeridianConfig load(Path file, Map<String, String> env) {
        Map<String, Object> values = new HashMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
            }
            properties.forEach((k, v) -> values.put(k.toString(), v.toString().trim()));
        }
        values.putAll(fromEnvironment(env));
        return new MeridianConfig(values);
    }

    /** {@code MERIDIAN_HTTP_PORT=8081} becomes {@code http.port=8081}. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
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
        return getString(HTTP_HOST);
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    public int maxBodyBytes() {
        return getInt(HTTP_MAX_BODY_BYTES);
    }

    /** The admin token, or empty when none is configured (the admin API then refuses everyone). */
    public String adminToken() {
        Password token = getPassword(ADMIN_TOKEN);
        return token == null ? "" : token.value();
    }

    public String bootstrapServers() {
        return getString(KAFKA_BOOTSTRAP_SERVERS);
    }

    public String zookeeperConnect() {
        return getString(ZOOKEEPER_CONNECT);
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
        return Duration.ofMillis(getLong(WRITE_APPLY_TIMEOUT_MS));
    }

    public Duration writePauseBudget() {
        return Duration.ofMillis(getLong(WRITE_PAUSE_BUDGET_MS));
    }

    public Duration readMinPositionWait() {
        return Duration.ofMillis(getLong(READ_MIN_POSITION_WAIT_MS));
    }

    public int retryAfterSeconds() {
        return getInt(RETRY_AFTER_SECONDS);
    }

    public Duration placementCacheTtl() {
        return Duration.ofMillis(getLong(PLACEMENT_CACHE_TTL_MS));
    }

    public long placementCacheMaxTenants() {
        return getLong(PLACEMENT_CACHE_MAX_TENANTS);
    }

    public long streamsCommitIntervalMs() {
        return getLong(STREAMS_COMMIT_INTERVAL_MS);
    }

    public int streamsNumThreads() {
        return getInt(STREAMS_NUM_THREADS);
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

    private static ConfigDef.Validator regionName() {
        return (name, value) -> {
            try {
                Names.requireRegion((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    private static ConfigDef.Validator regionUrlsValidator() {
        return (name, value) -> {
            try {
                @SuppressWarnings("unchecked")
                List<String> entries = (List<String>) value;
                parseRegionUrls(entries);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    private static Map<String, URI> parseRegionUrls(List<String> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("name at least one region, as name=url");
        }
        Map<String, URI> urls = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + entry + "' is not name=url");
            }
            String region = Names.requireRegion(entry.substring(0, eq).trim());
            String url = entry.substring(eq + 1).trim();
            URI uri;
            try {
                uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("region " + region + " has an invalid URL '" + url + "'");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("region " + region + " needs an absolute http(s) URL, got '"
                        + url + "'");
            }
            if (urls.put(region, uri) != null) {
                throw new IllegalArgumentException("region " + region + " is named twice");
            }
        }
        return Collections.unmodifiableMap(urls);
    }
}
