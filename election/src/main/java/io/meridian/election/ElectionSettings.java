package io.meridian.election;

import io.meridian.infra.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What {@link LeaderElectors#create} needs besides the backend name and the candidate; each backend reads its own
 * part. Build with {@link #builder()} (defaults below) (the node builds it from its MeridianConfig).
 * Immutable.
 *
 * @param zookeeperConnect           ZooKeeper connect string ({@code zookeeper} backend)
 * @param zookeeperRoot              root znode; the latch lives at {@code <root>/controller/latch}, the epoch at
 *                                   {@code <root>/controller/epoch}, presence under {@code <root>/nodes}
 * @param zookeeperSessionTimeout    ZooKeeper session timeout: how long after a crash the leader's latch node stays
 * @param zookeeperConnectionTimeout how long a connection attempt may take
 * @param zookeeperSecurity          authentication to ZooKeeper and the ACL of created znodes ({@code zookeeper}
 *                                   backend; {@link ZooKeeperSecurity#open()} by default)
 * @param kafkaClientProperties      base Kafka client properties ({@code bootstrap.servers} at least; {@code kafka}
 *                                   backend)
 * @param kafkaGroupId               consumer group of the {@code kafka} backend
 * @param controllerTopic            the topic whose partition 0 the leader owns ({@code kafka} backend)
 * @param kafkaSessionTimeout        group session timeout; at least the brokers' {@code group.min.session.timeout.ms}
 *                                   (6 s by default)
 * @param appliedPosition            this node's applied WAL position (sum of applied offsets): the first ranking key
 *                                   of the {@code kafka} backend, read at every rebalance
 * @param clock                      time source for state timestamps and the coordinator-contact deadline
 */
public record ElectionSettings(
        String zookeeperConnect,
        String zookeeperRoot,
        Duration zookeeperSessionTimeout,
        Duration zookeeperConnectionTimeout,
        ZooKeeperSecurity zookeeperSecurity,
        Map<String, Object> kafkaClientProperties,
        String kafkaGroupId,
        String controllerTopic,
        Duration kafkaSessionTimeout,
        LongSupplier appliedPosition,
        Clock clock) {

    public static final String DEFAULT_ZOOKEEPER_ROOT = "/meridian";
    public static final Duration DEFAULT_ZOOKEEPER_SESSION_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final String DEFAULT_KAFKA_GROUP_ID = "meridian-controller";
    public static final Duration DEFAULT_KAFKA_SESSION_TIMEOUT = Duration.ofSeconds(10);

    public ElectionSettings {
        Objects.requireNonNull(zookeeperConnect, "zookeeperConnect");
        Objects.requireNonNull(zookeeperRoot, "zookeeperRoot");
        if (!zookeeperRoot.startsWith("/") || (zookeeperRoot.length() > 1 && zookeeperRoot.endsWith("/"))) {
            throw new IllegalArgumentException("zookeeperRoot must be an absolute znode path without a trailing"
                    + " slash, got '" + zookeeperRoot + "'");
        }
        requirePositive(zookeeperSessionTimeout, "zookeeperSessionTimeout");
        requirePositive(zookeeperConnectionTimeout, "zookeeperConnectionTimeout");
        Objects.requireNonNull(zookeeperSecurity, "zookeeperSecurity");
        kafkaClientProperties = Map.copyOf(Objects.requireNonNull(kafkaClientProperties, "kafkaClientProperties"));
        if (Objects.requireNonNull(kafkaGroupId, "kafkaGroupId").isBlank()) {
            throw new IllegalArgumentException("kafkaGroupId must not be blank");
        }
        if (Objects.requireNonNull(controllerTopic, "controllerTopic").isBlank()) {
            throw new IllegalArgumentException("controllerTopic must not be blank");
        }
        requirePositive(kafkaSessionTimeout, "kafkaSessionTimeout");
        Objects.requireNonNull(appliedPosition, "appliedPosition");
        Objects.requireNonNull(clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this settings' values. */
    public Builder toBuilder() {
        return new Builder()
                .zookeeperConnect(zookeeperConnect)
                .zookeeperRoot(zookeeperRoot)
                .zookeeperSessionTimeout(zookeeperSessionTimeout)
                .zookeeperConnectionTimeout(zookeeperConnectionTimeout)
                .zookeeperSecurity(zookeeperSecurity)
                .kafkaClientProperties(kafkaClientProperties)
                .kafkaGroupId(kafkaGroupId)
                .controllerTopic(controllerTopic)
                .kafkaSessionTimeout(kafkaSessionTimeout)
                .appliedPosition(appliedPosition)
                .clock(clock);
    }

    /** Without property values: Kafka client properties may hold credentials ({@code sasl.jaas.config}). */
    @Override
    public String toString() {
        return "ElectionSettings{zookeeperConnect=" + zookeeperConnect + ", zookeeperRoot=" + zookeeperRoot
                + ", zookeeperSessionTimeout=" + zookeeperSessionTimeout + ", zookeeperConnectionTimeout="
                + zookeeperConnectionTimeout + ", zookeeperSecurity=" + zookeeperSecurity + ", kafkaClientProperties=" + kafkaClientProperties.keySet()
                + ", kafkaGroupId=" + kafkaGroupId + ", controllerTopic=" + controllerTopic + ", kafkaSessionTimeout="
                + kafkaSessionTimeout + ", clock=" + clock + "}";
    }

    private static void requirePositive(Duration d, String name) {
        if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String zookeeperConnect = "";
        private String zookeeperRoot = DEFAULT_ZOOKEEPER_ROOT;
        private Duration zookeeperSessionTimeout = DEFAULT_ZOOKEEPER_SESSION_TIMEOUT;
        private Duration zookeeperConnectionTimeout = DEFAULT_ZOOKEEPER_CONNECTION_TIMEOUT;
        private ZooKeeperSecurity zookeeperSecurity = ZooKeeperSecurity.open();
        private Map<String, Object> kafkaClientProperties = Map.of();
        private String kafkaGroupId = DEFAULT_KAFKA_GROUP_ID;
        private String controllerTopic = Topics.CONTROLLER.name();
        private Duration kafkaSessionTimeout = DEFAULT_KAFKA_SESSION_TIMEOUT;
        private LongSupplier appliedPosition = () -> 0L;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder zookeeperConnect(String value) {
            this.zookeeperConnect = value;
            return this;
        }

        public Builder zookeeperRoot(String value) {
            this.zookeeperRoot = value;
            return this;
        }

        public Builder zookeeperSessionTimeout(Duration value) {
            this.zookeeperSessionTimeout = value;
            return this;
        }

        public Builder zookeeperConnectionTimeout(Duration value) {
            this.zookeeperConnectionTimeout = value;
            return this;
        }

        public Builder zookeeperSecurity(ZooKeeperSecurity value) {
            this.zookeeperSecurity = value;
            return this;
        }

        public Builder kafkaClientProperties(Map<String, Object> value) {
            this.kafkaClientProperties = value;
            return this;
        }

        public Builder kafkaGroupId(String value) {
            this.kafkaGroupId = value;
            return this;
        }

        public Builder controllerTopic(String value) {
            this.controllerTopic = value;
            return this;
        }

        public Builder kafkaSessionTimeout(Duration value) {
            this.kafkaSessionTimeout = value;
            return this;
        }

        public Builder appliedPosition(LongSupplier value) {
            this.appliedPosition = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        public ElectionSettings build() {
            return new ElectionSettings(zookeeperConnect, zookeeperRoot, zookeeperSessionTimeout,
                    zookeeperConnectionTimeout, zookeeperSecurity, kafkaClientProperties, kafkaGroupId, controllerTopic,
                    kafkaSessionTimeout, appliedPosition, clock);
        }
    }
}
