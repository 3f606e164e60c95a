package io.meridian.streams.internal;

import io.meridian.streams.ApplierStores;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a region's applier still needs the {@link ApplierStores#LEGACY_WRITE_IDS} store: only if an older version
 * ever wrote its changelog. The store is read, never written (bar the tombstones of forgotten tenants' ids), so a
 * deployment that never ran an older version has an empty changelog for good, and there the store must not be in the
 * topology: it never gets an offset to checkpoint, and under exactly-once Kafka Streams then takes every task holding
 * it for corrupted at the next start, wiping and restoring all of the applier's stores from their changelogs on every
 * restart ("State store write-ids-by-offset did not find checkpoint offsets while stores are not empty": `meridian
 * local` restarts took 33-45 s instead of ~22 s). The answer is the same on every node of a region, as their
 * topologies must be: the changelog's end offsets only grow.
 */
public final class LegacyWriteIds {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyWriteIds.class);
    private static final long TIMEOUT_MS = 10_000;

    private LegacyWriteIds() {
    }

    /** The legacy store's changelog topic of the applier {@code applicationId}. */
    public static String changelog(String applicationId) {
        return applicationId + "-" + ApplierStores.LEGACY_WRITE_IDS + "-changelog";
    }

    /**
     * Whether the changelog holds or ever held a record. When Kafka cannot tell within 10 s, true: reading an empty
     * store costs a slow restart, skipping a full one could let a retry from before an upgrade apply twice.
     */
    public static boolean everWritten(Map<String, Object> kafkaClientProperties, String applicationId) {
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.remove(ConsumerConfig.CLIENT_RACK_CONFIG);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, applicationId + "-legacy-write-ids-probe");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS / 2);  // Admin refuses one above the other
        String topic = changelog(applicationId);
        try (Admin admin = Admin.create(props)) {
            TopicDescription description;
            try {
                description = admin.describeTopics(List.of(topic)).topicNameValues().get(topic)
                        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    LOG.info("legacy write-id store left out: {} does not exist (no older version ran)", topic);
                    return false;
                }
                throw e;
            }
            Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            boolean written = ends.values().stream().anyMatch(end -> end.offset() > 0);
            LOG.info("legacy write-id store {}: {} {} written", written ? "kept" : "left out", topic,
                    written ? "was" : "was never");
            return written;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not tell whether {} was ever written ({}); keeping the legacy write-id store", topic,
                    e.toString());
            return true;
        }
    }
}
