package io.meridian.streams.internal;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.streams.internal.MonitorEvent.HeadUpdate;
import io.meridian.streams.internal.MonitorEvent.NodeReport;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The one task that sees every WAL head and every heartbeat (its input has a single partition). Keeps them in a
 * {@link LagCalculator} backed by three stores, emits a region's {@link ReplicationLag} (keyed by region) on each of
 * its heartbeats, and every region's every {@code emitInterval} of wall-clock time, so that the lag of a region that
 * stopped heartbeating keeps following the WAL.
 *
 * <p>The time index is kept in memory at the calculator's spacing but persisted more sparsely: a sample reaches the
 * store (and its changelog) only if it is at least {@code persistedSampleSpacing} of record time after the last one
 * persisted in its partition. Any subset of the samples is still a valid floor index, so after a restore lag seconds
 * are over-estimated by less than that spacing instead of the calculator's; in return the changelog carries one
 * record per partition per spacing instead of per sample (at 100 ms, it was a third of a record per write).
 */
public final class LagProcessor implements Processor<String, MonitorEvent, String, ReplicationLag> {
    private final String headsStoreName;
    private final String samplesStoreName;
    private final String nodesStoreName;
    private final int maxSamples;
    private final Duration emitInterval;
    private final long persistedSampleSpacingMs;
    /** Per partition, the record time of the newest sample persisted. */
    private final Map<Integer, Long> lastPersisted = new HashMap<>();
    private ProcessorContext<String, ReplicationLag> context;
    private LagCalculator calculator;

    public LagProcessor(String headsStore, String samplesStore, String nodesStore, int maxSamples,
            Duration emitInterval, Duration persistedSampleSpacing) {
        this.headsStoreName = headsStore;
        this.samplesStoreName = samplesStore;
        this.nodesStoreName = nodesStore;
        this.maxSamples = maxSamples;
        this.emitInterval = emitInterval;
        this.persistedSampleSpacingMs = persistedSampleSpacing.toMillis();
    }

    @Override
    public void init(ProcessorContext<String, ReplicationLag> context) {
        this.context = context;
        lastPersisted.clear();  // should init run again on this instance, only the restored stores count
        KeyValueStore<Integer, WalHead> heads = context.getStateStore(headsStoreName);
        KeyValueStore<String, Long> samples = context.getStateStore(samplesStoreName);
        KeyValueStore<String, Heartbeat> nodes = context.getStateStore(nodesStoreName);
        calculator = new LagCalculator(maxSamples, new LagCalculator.Changes() {
            @Override
            public void headChanged(WalHead head) {
                heads.put(head.partition(), head);
            }

            @Override
            public void sampleAdded(int partition, long offset, long timestamp) {
                Long last = lastPersisted.get(partition);
                if (last == null || timestamp - last >= persistedSampleSpacingMs) {
                    samples.put(new Position(partition, offset).toString(), timestamp);
                    lastPersisted.put(partition, timestamp);
                }
            }

            @Override
            public void sampleRemoved(int partition, long offset) {
                String key = new Position(partition, offset).toString();
                if (samples.get(key) != null) {  // in memory: a read costs nothing, a needless tombstone a record
                    samples.delete(key);
                }
            }

            @Override
            public void nodeChanged(Heartbeat heartbeat) {
                nodes.put(heartbeat.nodeId(), heartbeat);
            }
        });
        try (KeyValueIterator<Integer, WalHead> it = heads.all()) {
            it.forEachRemaining(kv -> calculator.restoreHead(kv.value));
        }
        try (KeyValueIterator<String, Long> it = samples.all()) {
            it.forEachRemaining(kv -> {
                Position position = Position.parse(kv.key);
                calculator.restoreSample(position.partition(), position.offset(), kv.value);
                lastPersisted.merge(position.partition(), kv.value, Math::max);
            });
        }
        try (KeyValueIterator<String, Heartbeat> it = nodes.all()) {
            it.forEachRemaining(kv -> calculator.restoreNode(kv.value));
        }
        context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, this::emitAll);
    }

    @Override
    public void process(Record<String, MonitorEvent> record) {
        if (record.value() instanceof HeadUpdate update) {
            calculator.onHeadUpdate(update);
        } else if (record.value() instanceof NodeReport report) {
            calculator.onHeartbeat(report.heartbeat());
            emit(report.heartbeat().region(), context.currentSystemTimeMs());
        }
    }

    private void emitAll(long now) {
        calculator.regions().forEach(region -> emit(region, now));
    }

    private void emit(String region, long now) {
        calculator.lagOf(region, now).ifPresent(lag -> context.forward(new Record<>(region, lag, now)));
    }
}
