package io.meridian.streams.internal;

import io.meridian.streams.internal.MonitorEvent.HeadUpdate;
import io.meridian.streams.internal.MonitorEvent.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Follows the head of the WAL partitions of its task without reading the records: per record it only counts (O(1),
 * no parsing, so unreadable records count like any other) and, once per {@code sampleInterval} of record time,
 * notes an offset → timestamp sample. Every {@code forwardInterval} of wall-clock time it forwards one
 * {@link HeadUpdate} per partition that moved, keyed by {@code key}.
 *
 * <p>The head is written to {@code storeName} on every record (a cached store: the changelog sees one write per
 * commit), so it is committed together with the input offsets; a record at or below the stored head is a replay
 * after a restart and is not counted twice. Samples not yet forwarded when the task stops are lost, which only makes
 * the time index coarser there.
 */
public final class WalHeadProcessor implements Processor<byte[], byte[], String, MonitorEvent> {
    /** Pending samples per partition before they are thinned (a backlog read in one forward interval). */
    static final int MAX_PENDING_SAMPLES = 1024;

    private final String storeName;
    private final String key;
    private final long sampleIntervalMs;
    private final Duration forwardInterval;
    private final Map<Integer, WalHead> heads = new HashMap<>();
    private final Map<Integer, Long> lastSampleTimestamps = new HashMap<>();
    private final Map<Integer, List<Sample>> pending = new HashMap<>();
    private final Set<Integer> moved = new LinkedHashSet<>();
    private ProcessorContext<String, MonitorEvent> context;
    private KeyValueStore<Integer, WalHead> store;

    public WalHeadProcessor(String storeName, String key, Duration sampleInterval, Duration forwardInterval) {
        this.storeName = storeName;
        this.key = key;
        this.sampleIntervalMs = sampleInterval.toMillis();
        this.forwardInterval = forwardInterval;
    }

    @Override
    public void init(ProcessorContext<String, MonitorEvent> context) {
        this.context = context;
        store = context.getStateStore(storeName);
        try (KeyValueIterator<Integer, WalHead> it = store.all()) {
            // A restored head is forwarded once more: the lag side may have missed it.
            it.forEachRemaining(kv -> {
                heads.put(kv.key, kv.value);
                moved.add(kv.key);
            });
        }
        context.schedule(forwardInterval, PunctuationType.WALL_CLOCK_TIME, now -> forward(now));
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        int partition = meta.partition();
        long offset = meta.offset();
        WalHead head = heads.get(partition);
        if (head != null && offset <= head.headOffset()) {
            return;  // replayed after a restart: counted already
        }
        long size = (record.key() == null ? 0 : record.key().length)
                + (record.value() == null ? 0 : record.value().length);
        long timestamp = record.timestamp();
        head = head == null ? new WalHead(partition, offset, offset, timestamp, 1, size)
                : head.next(offset, timestamp, size);
        Long lastSample = lastSampleTimestamps.get(partition);
        if (lastSample == null || timestamp >= lastSample + sampleIntervalMs) {
            lastSampleTimestamps.put(partition, timestamp);
            List<Sample> samples = pending.computeIfAbsent(partition, p -> new ArrayList<>());
            samples.add(new Sample(offset, timestamp));
            if (samples.size() >= MAX_PENDING_SAMPLES) {
                pending.put(partition, thin(samples));
            }
        }
        heads.put(partition, head);
        store.put(partition, head);
        moved.add(partition);
    }

    private void forward(long now) {
        for (Integer partition : moved) {
            List<Sample> samples = pending.remove(partition);
            context.forward(new Record<>(key, new HeadUpdate(heads.get(partition),
                    samples == null ? List.of() : samples), now));
        }
        moved.clear();
    }

    /** Every other sample, keeping the oldest and the newest: halves the list, doubles its spacing. */
    static List<Sample> thin(List<Sample> samples) {
        List<Sample> kept = new ArrayList<>(samples.size() / 2 + 1);
        for (int i = 0; i < samples.size(); i += 2) {
            kept.add(samples.get(i));
        }
        if (samples.size() % 2 == 0) {
            kept.add(samples.get(samples.size() - 1));
        }
        return kept;
    }
}
