package io.meridian.streams.internal;

import io.meridian.infra.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes restores of the applier's stores visible: a line when a store's partition starts and ends restoring from its
 * changelog (records, time), and {@value MetricNames#APPLIER_RESTORED_RECORDS} per store. A new node or a crash under
 * exactly-once restores whole changelogs, which is what makes such a start slow; a clean restart restores next to
 * nothing, so a full restore after one is a defect to look into. Called on Streams' restoring threads.
 */
public final class StoreRestoreLog implements StateRestoreListener {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRestoreLog.class);

    private final MeterRegistry registry;
    private final Map<String, Counter> restored = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> started = new ConcurrentHashMap<>();

    /** @param stores every store that may restore: their counters exist from the start, at 0 */
    public StoreRestoreLog(MeterRegistry registry, Collection<String> stores) {
        this.registry = registry;
        stores.forEach(this::counter);
    }

    /** Every state store of {@code topology}, global ones included. */
    public static Set<String> storesOf(Topology topology) {
        TopologyDescription description = topology.describe();
        Set<String> stores = new TreeSet<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Processor processor) {
                stores.addAll(processor.stores());
            }
        }));
        description.globalStores().forEach(global -> stores.addAll(global.processor().stores()));
        return stores;
    }

    private Counter counter(String store) {
        return restored.computeIfAbsent(store, s -> Counter.builder(MetricNames.APPLIER_RESTORED_RECORDS)
                .description("Changelog records restored into the applier's stores and the placement view")
                .tag(MetricNames.TAG_STORE, s).register(registry));
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        started.put(partition, System.nanoTime());
        LOG.debug("restoring store={} from changelog={} offsets {}..{} ({} at most)", store, partition,
                startingOffset, endingOffset, Math.max(0, endingOffset - startingOffset));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        counter(store).increment(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Long since = started.remove(partition);
        if (totalRestored > 0) {  // Streams reports every registered partition, also those with nothing to restore
            LOG.info("restored store={} from changelog={}: {} records in {} ms", store, partition, totalRestored,
                    since == null ? -1 : (System.nanoTime() - since) / 1_000_000);
        }
    }
}
