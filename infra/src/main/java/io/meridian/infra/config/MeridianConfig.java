package io.meridian.infra.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * the prefix (e.g. {@code kafka.security.protocol}). A node loads it with {@link ConfigKeys#load}, which refuses keys
 * it does not know. Immutable.
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
    public static final String ADMIN_READ_TOKEN = "admin.read.token";
    public static final String ADMIN_TOKEN_FILE = "admin.token.file";
    public static final String DATA_AUTH_ENABLED = "data.auth.enabled";
    public static final String DATA_API_KEYS_FILE = "data.api.keys.file";
    public static final String RATE_LIMIT_TENANT_PER_SECOND = "rate.limit.tenant.per.second";
    public static final String RATE_LIMIT_TENANT_BURST = "rate.limit.tenant.burst";
    public static final String RATE_LIMIT_CLIENT_PER_SECOND = "rate.limit.client.per.second";
    public static final String RATE_LIMIT_CLIENT_BURST = "rate.limit.client.burst";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String STATE_DIR = "state.dir";
    public static final String WAL_PARTITIONS = "wal.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String TOPICS_MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
    public static final String WRITE_APPLY_TIMEOUT_MS = "write.apply.timeout.ms";
    public static final String WRITE_PAUSE_BUDGET_MS = "write.pause.budget.ms";
    public static final String READ_MIN_POSITION_WAIT_MS = "read.min.position.wait.ms";
    public static final String READ_CONCERN_TIMEOUT_MS = "read.concern.timeout.ms";
    public static final String CONSISTENCY_CHECK_INTERVAL_MS = "consistency.check.interval.ms";
    public static final String CONSISTENCY_CHECK_TENANTS = "consistency.check.tenants";
    public static final String RETRY_AFTER_SECONDS = "retry.after.seconds";
    public static final String PLACEMENT_CACHE_TTL_MS = "placement.cache.ttl.ms";
    public static final String PLACEMENT_CACHE_MAX_TENANTS = "placement.cache.max.tenants";
    public static final String STREAMS_COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    public static final String STREAMS_NUM_THREADS = "streams.num.threads";
    public static final String ADVERTISED_URL = "advertised.url";
    public static final String STREAMS_NUM_STANDBY_REPLICAS = "streams.num.standby.replicas";
    public static final String ROUTING_REBALANCE_WAIT_MS = "routing.rebalance.wait.ms";
    public static final String ELECTION_BACKEND = "election.backend";
    public static final String ELECTION_PRIORITY = "election.priority";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String ZOOKEEPER_CONNECTION_TIMEOUT_MS = "zookeeper.connection.timeout.ms";
    public static final String ZOOKEEPER_AUTH_SCHEME = "zookeeper.auth.scheme";
    public static final String ZOOKEEPER_AUTH_FILE = "zookeeper.auth.file";
    public static final String ZOOKEEPER_ACL = "zookeeper.acl";
    public static final String HEALTH_HEARTBEAT_INTERVAL_MS = "health.heartbeat.interval.ms";
    public static final String HEALTH_MISSES_TO_SUSPECT = "health.misses.to.suspect";
    public static final String HEALTH_MISSES_TO_UNHEALTHY = "health.misses.to.unhealthy";
    public static final String HEALTH_SUCCESSES_TO_HEALTHY = "health.successes.to.healthy";
    public static final String HEALTH_PROBE_BACKOFF_MULTIPLIER = "health.probe.backoff.multiplier";
    public static final String HEALTH_PROBE_BACKOFF_MAX_MS = "health.probe.backoff.max.ms";
    public static final String FAILOVER_ENABLED = "failover.enabled";
    public static final String FAILOVER_LEADER_TIMEOUT_MS = "failover.leader.timeout.ms";
    public static final String FAILOVER_QUORUM = "failover.quorum";
    public static final String FAILOVER_INHIBIT_WINDOW_MS = "failover.inhibit.window.ms";
    public static final String FAILOVER_REGION_PRIORITIES = "failover.region.priorities";
    public static final String MIGRATION_TIMEOUT_MS = "migration.timeout.ms";
    public static final String MIGRATION_MAX_TARGET_LAG_ENTRIES = "migration.max.target.lag.entries";
    public static final String MIGRATION_MAX_PER_REGION = "migration.max.per.region";
    public static final String FAILBACK_ENABLED = "failback.enabled";
    public static final String FAILBACK_AFTER_MS = "failback.after.ms";
    public static final String FAILBACK_MAX_PER_REGION = "failback.max.per.region";
    public static final String INGEST_ENABLED = "ingest.enabled";
    public static final String INGEST_GROUP_ID = "ingest.group.id";
    public static final String INGEST_MAX_IN_FLIGHT = "ingest.max.in.flight";
    public static final String INGEST_RETRY_BUDGET_MS = "ingest.retry.budget.ms";

    public static final String BACKEND_ZOOKEEPER = "zookeeper";
    public static final String BACKEND_KAFKA = "kafka";

    /** {@value #ZOOKEEPER_AUTH_SCHEME} values. */
    public static final String ZOOKEEPER_AUTH_NONE = "none";
    public static final String ZOOKEEPER_AUTH_DIGEST = "digest";
    public static final String ZOOKEEPER_AUTH_SASL = "sasl";
    /** {@value #ZOOKEEPER_ACL} values. */
    public static final String ZOOKEEPER_ACL_OPEN = "open";
    public static final String ZOOKEEPER_ACL_CREATOR = "creator";
    public static final String ZOOKEEPER_ACL_CREATOR_WORLD_READ = "creator-world-read";

    public static final ConfigDef DEF = new ConfigDef()
            .define(REGION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, RegionSettings.regionName(), Importance.HIGH,
                    "The region this node serves, e.g. us-east. Must be one of the names in 'regions'.")
            .define(NODE_ID, Type.STRING, "", Importance.MEDIUM,
                    "This node's id, unique in the cluster. Empty: <region>-<http.port>.")
            .define(REGIONS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, RegionSettings.regionUrls(), Importance.HIGH,
                    "Every region and the base URL its clients and other regions reach it at, as"
                            + " name=url pairs: us-east=https://us-east.example.com,eu-west=https://eu-west.example.com."
                            + " Redirects use these URLs, never the request's Host header.")
            .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.MEDIUM, "The address the HTTP server binds.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(1, 65535), Importance.HIGH,
                    "The port the HTTP server listens on.")
            .define(HTTP_MAX_BODY_BYTES, Type.INT, 1_000_000, Range.between(1, 64 * 1024 * 1024), Importance.MEDIUM,
                    "The largest request body accepted; larger ones get 413. With the record envelope it must fit the"
                            + " WAL producer's max.request.size (1 MiB by default), checked at startup.")
            .define(ADMIN_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                    "Bearer token that admin requests (/admin/...) must carry. Empty: the admin API answers 401 to"
                            + " everyone (unless admin.read.token or admin.token.file names tokens).")
            .define(ADMIN_READ_TOKEN, Type.PASSWORD, "", Importance.MEDIUM,
                    "A read-only admin token: GET admin requests only; any other method answers 403 read_only_token."
                            + " Empty: none.")
            .define(ADMIN_TOKEN_FILE, Type.STRING, "", Importance.MEDIUM,
                    "A file of admin tokens, one a line: '<token>' or 'full <token>' (full), 'read <token>'"
                            + " (read-only); '#' starts a comment. Read again when it changes (checked at most once a"
                            + " second), so tokens rotate without a restart: add the new one, move clients, remove the"
                            + " old. Accepted besides admin.token and admin.read.token. Empty: none.")
            .define(DATA_AUTH_ENABLED, Type.BOOLEAN, false, Importance.HIGH,
                    "Whether the document API needs 'Authorization: Bearer <API key>' (a key created with POST"
                            + " /admin/api-keys or of data.api.keys.file that grants the tenant, or a full admin"
                            + " token): 401 without one, 403"
                            + " tenant_not_allowed for a key of other tenants. Off: anyone may read and write any"
                            + " tenant, as before.")
            .define(DATA_API_KEYS_FILE, Type.STRING, "", Importance.MEDIUM,
                    "The data API's keys, stored hashed: one a line, 'sha256:<hex of the key> <tenant>[,<tenant>...]|*"
                            + " [name]' ('meridianctl apikey create --offline' makes a key and its line). Read again"
                            + " when it changes: add a line to create a key, remove it to revoke. Same file on every"
                            + " node. Keys created through the admin API (meridian.api-keys) work as well.")
            .define(RATE_LIMIT_TENANT_PER_SECOND, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "Document requests a tenant may make a second on one node; over it: 429 rate_limited with"
                            + " Retry-After. 0: no limit.")
            .define(RATE_LIMIT_TENANT_BURST, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Requests a tenant may make at once above its rate (the bucket size); 0: one second's worth.")
            .define(RATE_LIMIT_CLIENT_PER_SECOND, Type.DOUBLE, 0.0, Range.atLeast(0.0), Importance.MEDIUM,
                    "Document requests a client (its API key's name, else its address) may make a second on one"
                            + " node; over it: 429 rate_limited with Retry-After. 0: no limit.")
            .define(RATE_LIMIT_CLIENT_BURST, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                    "Requests a client may make at once above its rate (the bucket size); 0: one second's worth.")
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
            .define(READ_CONCERN_TIMEOUT_MS, Type.LONG, 1_000L, Range.between(10L, 60_000L), Importance.MEDIUM,
                    "How long a read with X-Meridian-Read-Concern waits for each replica region's answer; a region"
                            + " that does not answer in time is skipped and named in X-Meridian-Skipped-Regions.")
            .define(CONSISTENCY_CHECK_INTERVAL_MS, Type.LONG, 300_000L, Range.between(0L, 86_400_000L),
                    Importance.LOW, "How often the controller's continuous consistency check compares a sample of"
                            + " tenants' digests across their replica regions (0: never).")
            .define(CONSISTENCY_CHECK_TENANTS, Type.INT, 10, Range.between(1, 10_000), Importance.LOW,
                    "How many tenants (chosen at random among those with two or more replica regions) each round of"
                            + " the continuous consistency check compares.")
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
                    "Stream threads of the region applier.")
            .define(ADVERTISED_URL, Type.STRING, "", Importance.MEDIUM,
                    "The URL other nodes reach THIS node at (admin requests are forwarded to the controller's; in a"
                            + " region of several nodes, data requests to the node that owns the tenant's WAL"
                            + " partition). Empty: this region's URL from 'regions', with http.port as the port"
                            + " for node-to-node forwarding. Set it on every node when a region has several nodes.")
            .define(STREAMS_NUM_STANDBY_REPLICAS, Type.INT, 1, Range.between(0, 8), Importance.LOW,
                    "Standby copies of each WAL partition's applier state kept on OTHER nodes of the region (Kafka"
                            + " Streams num.standby.replicas). With several nodes per region a standby makes the new"
                            + " owner's restore after a node leaves short; a region of one node keeps none.")
            .define(ROUTING_REBALANCE_WAIT_MS, Type.LONG, 10_000L, Range.between(0L, 120_000L), Importance.MEDIUM,
                    "How long a request waits, while its tenant's WAL partition moves between the nodes of a region"
                            + " (a node joined or left), for a node to own it and for the new owner's state to be"
                            + " restored, before it gets 503 partition_moving with Retry-After.")
            .define(ELECTION_BACKEND, Type.STRING, BACKEND_ZOOKEEPER,
                    ConfigDef.ValidString.in(BACKEND_ZOOKEEPER, BACKEND_KAFKA), Importance.HIGH,
                    "How the controller is elected: zookeeper (Curator leader latch; needs zookeeper.connect) or"
                            + " kafka (Kafka's group coordinator; no ZooKeeper needed).")
            .define(ELECTION_PRIORITY, Type.INT, 0, Importance.LOW,
                    "This node's priority as controller candidate (kafka backend: after the applied WAL position).")
            .define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, 10_000, Range.between(1_000, 120_000), Importance.MEDIUM,
                    "ZooKeeper session timeout: how long a crashed controller keeps its leadership.")
            .define(ZOOKEEPER_CONNECTION_TIMEOUT_MS, Type.INT, 5_000, Range.between(500, 120_000), Importance.LOW,
                    "ZooKeeper connection timeout.")
            .define(ZOOKEEPER_AUTH_SCHEME, Type.STRING, ZOOKEEPER_AUTH_NONE,
                    ConfigDef.ValidString.in(ZOOKEEPER_AUTH_NONE, ZOOKEEPER_AUTH_DIGEST, ZOOKEEPER_AUTH_SASL),
                    Importance.MEDIUM,
                    "How the zookeeper election backend authenticates to ZooKeeper: none; digest (the user:password"
                            + " of zookeeper.auth.file); sasl (the JVM's JAAS 'Client' section, e.g. DIGEST-MD5 or"
                            + " Kerberos, set with -Djava.security.auth.login.config). Every node must authenticate"
                            + " as the same identity.")
            .define(ZOOKEEPER_AUTH_FILE, Type.STRING, "", Importance.MEDIUM,
                    "With zookeeper.auth.scheme=digest: a file holding one line 'user:password' ('#' starts a"
                            + " comment), read at start; keep it readable by the node's user only. Empty: none.")
            .define(ZOOKEEPER_ACL, Type.STRING, ZOOKEEPER_ACL_OPEN,
                    ConfigDef.ValidString.in(ZOOKEEPER_ACL_OPEN, ZOOKEEPER_ACL_CREATOR,
                            ZOOKEEPER_ACL_CREATOR_WORLD_READ), Importance.MEDIUM,
                    "The ACL of the znodes the zookeeper election backend creates: open (anyone may do anything);"
                            + " creator (only the identity of zookeeper.auth.scheme); creator-world-read (that identity,"
                            + " and read access for everyone, so operators can inspect without credentials). A node"
                            + " that is not 'open' restricts the znodes of its tree still open (left by earlier"
                            + " versions) at start.")
            .define(HEALTH_HEARTBEAT_INTERVAL_MS, Type.LONG, 1_000L, Range.between(100L, 60_000L), Importance.MEDIUM,
                    "How often nodes heartbeat; region health is judged per interval.")
            .define(HEALTH_MISSES_TO_SUSPECT, Type.INT, 2, Range.between(1, 1_000), Importance.LOW,
                    "Consecutive intervals without a heartbeat before a region is suspect.")
            .define(HEALTH_MISSES_TO_UNHEALTHY, Type.INT, 5, Range.between(1, 1_000), Importance.MEDIUM,
                    "Consecutive intervals without a heartbeat before a region is unhealthy.")
            .define(HEALTH_SUCCESSES_TO_HEALTHY, Type.INT, 2, Range.between(1, 1_000), Importance.LOW,
                    "Consecutive intervals with heartbeats before a suspect or unhealthy region is healthy again.")
            .define(HEALTH_PROBE_BACKOFF_MULTIPLIER, Type.DOUBLE, 2.0, Range.between(1.0, 10.0), Importance.LOW,
                    "While a region stays unhealthy its evaluation interval grows by this factor...")
            .define(HEALTH_PROBE_BACKOFF_MAX_MS, Type.LONG, 8_000L, Range.between(100L, 600_000L), Importance.LOW,
                    "...up to this interval.")
            .define(FAILOVER_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether the controller fails regions over automatically (manual failover always works).")
            .define(FAILOVER_LEADER_TIMEOUT_MS, Type.LONG, 10_000L, Range.between(0L, 3_600_000L), Importance.HIGH,
                    "How long a region must be unhealthy before its tenants are failed over.")
            .define(FAILOVER_QUORUM, Type.INT, 0, Range.between(0, 1_000), Importance.MEDIUM,
                    "How many OTHER regions must also suspect a region before it is failed over; 0: a majority.")
            .define(FAILOVER_INHIBIT_WINDOW_MS, Type.LONG, 60_000L, Range.between(0L, 86_400_000L), Importance.MEDIUM,
                    "After a region's failover, no other automatic failover of it for this long (against flapping).")
            .define(FAILOVER_REGION_PRIORITIES, Type.LIST, "", Importance.LOW,
                    "Region priorities as region=int pairs; the higher wins between replicas at the same position.")
            .define(MIGRATION_TIMEOUT_MS, Type.LONG, 30_000L, Range.between(1_000L, 86_400_000L), Importance.MEDIUM,
                    "A migration not switched by then is rolled back.")
            .define(MIGRATION_MAX_TARGET_LAG_ENTRIES, Type.LONG, 100_000L, Range.between(0L, Long.MAX_VALUE),
                    Importance.LOW, "A migration is refused when the target region lags more than this.")
            .define(MIGRATION_MAX_PER_REGION, Type.INT, 8, Range.between(1, 1_000), Importance.LOW,
                    "How many active migrations may move tenants into or out of one region at the same time; more are"
                            + " refused with 429 too_many_migrations (they share the controller's transactions, so"
                            + " more at once lengthens every tenant's write pause).")
            .define(FAILBACK_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether the controller moves a tenant back to its preferred_primary on its own after an automatic"
                            + " failover moved it away (operators can always trigger or cancel a failback).")
            .define(FAILBACK_AFTER_MS, Type.LONG, 600_000L, Range.between(0L, 7L * 86_400_000L), Importance.MEDIUM,
                    "How long a tenant's preferred region must have been healthy (and outside its failover inhibit"
                            + " window) before the tenant is moved back to it: the failback's hysteresis.")
            .define(FAILBACK_MAX_PER_REGION, Type.INT, 1, Range.between(1, 1_000), Importance.LOW,
                    "How many failbacks into one region may run at the same time.")
            .define(INGEST_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether this node takes part in consuming meridian.ingest (write requests produced to Kafka):"
                            + " every node of every region is a member of one consumer group, so each request is read"
                            + " once and written through the tenant's primary region.")
            .define(INGEST_GROUP_ID, Type.STRING, "meridian-ingest", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "The consumer group of meridian.ingest; the same on every node of the deployment.")
            .define(INGEST_MAX_IN_FLIGHT, Type.INT, 256, Range.between(1, 100_000), Importance.LOW,
                    "Ingest requests this node works on at once; beyond, it stops fetching until outcomes are out.")
            .define(INGEST_RETRY_BUDGET_MS, Type.LONG, 300_000L, Range.between(0L, 86_400_000L), Importance.MEDIUM,
                    "How long an ingest request whose write gets an answer that may pass by itself (503: paused,"
                            + " a moving partition, Kafka or coordination unavailable; 409 placement_changed) is"
                            + " retried, with the same request id, before its outcome is published as that rejection.");

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
    public static final java.util.Set<String> OTHER_VARIABLES = java.util.Set.of("MERIDIAN_JAVA_OPTS", "MERIDIAN_HOME",
            "MERIDIAN_URL", "MERIDIAN_TOKEN_FILE");

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
        if (getInt(HEALTH_MISSES_TO_UNHEALTHY) < getInt(HEALTH_MISSES_TO_SUSPECT)) {
            throw new ConfigException(HEALTH_MISSES_TO_UNHEALTHY + "=" + getInt(HEALTH_MISSES_TO_UNHEALTHY)
                    + " is below " + HEALTH_MISSES_TO_SUSPECT + "=" + getInt(HEALTH_MISSES_TO_SUSPECT)
                    + ": a region must be suspect before it is unhealthy");
        }
        for (String entry : getList(FAILOVER_REGION_PRIORITIES)) {
            int eq = entry.indexOf('=');
            String named = eq > 0 ? entry.substring(0, eq).trim() : "";
            if (!regionUrls.containsKey(named)) {
                throw new ConfigException(FAILOVER_REGION_PRIORITIES, entry, "expected region=int for a region in "
                        + REGIONS + " " + regionUrls.keySet());
            }
            try {
                Integer.parseInt(entry.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(FAILOVER_REGION_PRIORITIES, entry, "the priority must be an integer");
            }
        }
        String acl = getString(ZOOKEEPER_ACL);
        String scheme = getString(ZOOKEEPER_AUTH_SCHEME);
        if (!acl.equals(ZOOKEEPER_ACL_OPEN) && scheme.equals(ZOOKEEPER_AUTH_NONE)) {
            throw new ConfigException(ZOOKEEPER_ACL + "=" + acl + " needs " + ZOOKEEPER_AUTH_SCHEME + "="
                    + ZOOKEEPER_AUTH_DIGEST + " or " + ZOOKEEPER_AUTH_SASL + " (it is " + ZOOKEEPER_AUTH_NONE
                    + "): ZooKeeper gives the creator's rights only to an authenticated client");
        }
        boolean hasFile = !getString(ZOOKEEPER_AUTH_FILE).isBlank();
        if (scheme.equals(ZOOKEEPER_AUTH_DIGEST) && !hasFile) {
            throw new ConfigException(ZOOKEEPER_AUTH_SCHEME + "=" + ZOOKEEPER_AUTH_DIGEST + " needs "
                    + ZOOKEEPER_AUTH_FILE + ": a file with one line user:password");
        }
        if (!scheme.equals(ZOOKEEPER_AUTH_DIGEST) && hasFile) {
            throw new ConfigException(ZOOKEEPER_AUTH_FILE + " is set but " + ZOOKEEPER_AUTH_SCHEME + "=" + scheme
                    + ": set " + ZOOKEEPER_AUTH_SCHEME + "=" + ZOOKEEPER_AUTH_DIGEST + " to use it"
                    + (scheme.equals(ZOOKEEPER_AUTH_SASL) ? " (with sasl the credentials are in the JAAS 'Client'"
                    + " section)" : ""));
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

    /** The read-only admin token, or empty. */
    public String adminReadToken() {
        Password token = getPassword(ADMIN_READ_TOKEN);
        return token == null ? "" : token.value();
    }

    /** The admin token file, if one is configured. */
    public java.util.Optional<java.nio.file.Path> adminTokenFile() {
        String file = getString(ADMIN_TOKEN_FILE);
        return file == null || file.isBlank() ? java.util.Optional.empty()
                : java.util.Optional.of(java.nio.file.Path.of(file));
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

    public Duration readConcernTimeout() {
        return Duration.ofMillis(getLong(READ_CONCERN_TIMEOUT_MS));
    }

    /** {@code consistency.check.interval.ms}; zero: no continuous check. */
    public Duration consistencyCheckInterval() {
        return Duration.ofMillis(getLong(CONSISTENCY_CHECK_INTERVAL_MS));
    }

    public int consistencyCheckTenants() {
        return getInt(CONSISTENCY_CHECK_TENANTS);
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
        return Duration.ofMillis(getLong(ROUTING_REBALANCE_WAIT_MS));
    }

    public String electionBackend() {
        return getString(ELECTION_BACKEND);
    }

    /**
     * The ZooKeeper connect string, for the zookeeper election backend. Checked when the elector starts rather than
     * at construction, so that components without an elector (tests, tools) need no ZooKeeper.
     */
    public String requireZookeeperConnect() {
        if (zookeeperConnect().isBlank()) {
            throw new ConfigException(ELECTION_BACKEND + "=" + BACKEND_ZOOKEEPER + " needs " + ZOOKEEPER_CONNECT
                    + ": set it, or set " + ELECTION_BACKEND + "=" + BACKEND_KAFKA);
        }
        return zookeeperConnect();
    }

    /** {@value #ZOOKEEPER_AUTH_SCHEME}: none, digest or sasl. */
    public String zookeeperAuthScheme() {
        return getString(ZOOKEEPER_AUTH_SCHEME);
    }

    /** {@value #ZOOKEEPER_AUTH_FILE}, if set (only with the digest scheme, checked at construction). */
    public java.util.Optional<Path> zookeeperAuthFile() {
        String file = getString(ZOOKEEPER_AUTH_FILE);
        return file.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(file));
    }

    /** {@value #ZOOKEEPER_ACL}: open, creator or creator-world-read. */
    public String zookeeperAcl() {
        return getString(ZOOKEEPER_ACL);
    }

    /** Region priorities for failover; regions not named have 0. */
    public Map<String, Integer> regionPriorities() {
        Map<String, Integer> priorities = new LinkedHashMap<>();
        for (String entry : getList(FAILOVER_REGION_PRIORITIES)) {
            int eq = entry.indexOf('=');
            priorities.put(entry.substring(0, eq).trim(), Integer.parseInt(entry.substring(eq + 1).trim()));
        }
        return priorities;
    }

    /**
     * Properties every Kafka client of this node starts from: the bootstrap servers, {@code client.rack} = region, and
     * every {@code kafka.*} key without its prefix.
     */
    public boolean ingestEnabled() {
        return getBoolean(INGEST_ENABLED);
    }

    public String ingestGroupId() {
        return getString(INGEST_GROUP_ID);
    }

    public int ingestMaxInFlight() {
        return getInt(INGEST_MAX_IN_FLIGHT);
    }

    public Duration ingestRetryBudget() {
        return Duration.ofMillis(getLong(INGEST_RETRY_BUDGET_MS));
    }

    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new HashMap<>(originalsWithPrefix("kafka."));
        props.put("bootstrap.servers", bootstrapServers());
        props.put("client.rack", region());
        return props;
    }
}
