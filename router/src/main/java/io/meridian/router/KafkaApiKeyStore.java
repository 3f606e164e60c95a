package io.meridian.router;

import io.meridian.infra.lifecycle.Lifecycle;
import io.meridian.infra.model.ApiKeyRecord;
import io.meridian.infra.topics.CompactedTopicFollower;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ApiKeyStore} over {@code meridian.api-keys} (one partition, compacted), read whole on {@link #start} and then
 * followed on one thread ("meridian-api-keys", a {@link CompactedTopicFollower}), holding every live key in memory (a
 * digest, a few tenants and a name each: thousands of keys are a few MiB); creations and revocations (tombstones) are
 * published by an idempotent {@code acks=all} producer and read back. The latest record of a name wins, as compaction
 * keeps it, so every node holds the same keys. Records that cannot be read are skipped with a warning. Lifecycle:
 * {@link #start} once, {@link #close} idempotent. Thread-safe.
 */
public final class KafkaApiKeyStore extends ApiKeyIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaApiKeyStore.class);
    private final CompactedTopicFollower<ApiKeyRecord> follower;
    private final Lifecycle lifecycle = new Lifecycle("api keys");

    /** @param clientId a suffix that names this node's clients */
    public KafkaApiKeyStore(Map<String, Object> kafkaClientProperties, String clientId) {
        this.follower = new CompactedTopicFollower<>(Topics.API_KEYS, kafkaClientProperties, "meridian-api-keys",
                clientId, this::apply);
    }

    /**
     * Reads {@code meridian.api-keys} to its end, then follows it in the background.
     *
     * @throws IllegalStateException when called twice, or when the topic cannot be read to its end in
     *                               {@code loadTimeout}: a node must not answer data requests not knowing its keys
     */
    public void start(Duration loadTimeout) {
        lifecycle.beginStart();
        follower.start(loadTimeout);
        LOG.info("api keys read from {}: {} key(s)", Topics.API_KEYS.name(), size());
        lifecycle.started();
    }

    @Override
    public CompletableFuture<Void> publish(ApiKeyRecord key) {
        return follower.publish(key.name(), key);
    }

    @Override
    public CompletableFuture<Void> revoke(String name) {
        return follower.publish(name, null);
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        return follower.caughtUp();
    }

    private void apply(ConsumerRecord<String, ApiKeyRecord> record) {
        String name = record.key();
        ApiKeyRecord key = record.value();
        if (name == null || (key != null && !key.name().equals(name))) {
            LOG.warn("skipping record at offset {} of {}: its key '{}' is not the name of the API key it holds",
                    record.offset(), Topics.API_KEYS.name(), name);
            return;
        }
        if (key == null) {
            ApiKeyRecord revoked = drop(name);
            if (revoked != null && lifecycle.hasStarted()) {
                LOG.info("api key revoked name={} tenants={}", name, revoked.tenants());
            }
            return;
        }
        ApiKeyRecord previous = hold(key);
        if (previous != null && !previous.digest().equals(key.digest())) {
            // Two creates of one name on two nodes at once: the later record wins everywhere (compaction keeps it).
            LOG.warn("api key name={} was created again (node={} createdBy='{}'): the key created at {} by '{}' on"
                    + " node={} no longer works", name, key.node(), key.createdBy(), previous.createdAtMillis(),
                    previous.createdBy(), previous.node());
        } else if (lifecycle.hasStarted()) {
            LOG.info("api key created name={} tenants={} createdBy='{}' node={}", name, key.tenants(),
                    key.createdBy(), key.node());
        }
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        follower.close();
        lifecycle.closed();
    }
}
