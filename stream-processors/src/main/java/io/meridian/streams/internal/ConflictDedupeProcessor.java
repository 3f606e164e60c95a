package io.meridian.streams.internal;

import io.meridian.infra.model.ConflictRecord;
import io.meridian.infra.topics.Topics;
import java.time.Duration;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes each conflict on once, re-keyed by its strategy's wire name with its WAL position as value, however many
 * regions report it. Every region's applier reports the conflicts it resolves, each under the tenant's key (so all
 * reports of one conflict meet in this task) and with the timestamp of the WAL record (so they fall in the same
 * window): the first report of a position in a window passes, the others are dropped. Unreadable records are logged
 * and skipped.
 */
public final class ConflictDedupeProcessor implements Processor<String, byte[], String, String> {
    private static final Logger LOG = LoggerFactory.getLogger(ConflictDedupeProcessor.class);

    private final String storeName;
    private final long windowMs;
    private ProcessorContext<String, String> context;
    private WindowStore<String, Long> seen;

    public ConflictDedupeProcessor(String storeName, Duration window) {
        this.storeName = storeName;
        this.windowMs = window.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        seen = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        ConflictRecord conflict;
        try {
            conflict = Topics.CONFLICTS.valueSerde().deserializer().deserialize(Topics.CONFLICTS.name(),
                    record.value());
        } catch (SerializationException e) {
            LOG.warn("skipping unreadable conflict record for key {}: {}", record.key(), e.getMessage());
            return;
        }
        long windowStart = record.timestamp() - Math.floorMod(record.timestamp(), windowMs);
        if (seen.fetch(conflict.position(), windowStart) != null) {
            return;  // another region's report of the same conflict
        }
        seen.put(conflict.position(), record.timestamp(), windowStart);
        context.forward(record.withKey(conflict.strategy().wireName()).withValue(conflict.position()));
    }
}
