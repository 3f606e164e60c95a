package io.meridian.streams.internal;

import io.meridian.infra.model.Heartbeat;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationLag;
import io.meridian.streams.internal.MonitorEvent.HeadUpdate;
import io.meridian.streams.internal.MonitorEvent.NodeReport;
import java.time.Duration;
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
 */
public final class LagProcessor implements Processor<String, MonitorEvent, String, ReplicationLag> {
    private final String headsStoreName;
    private final String samplesStoreName;
    private final String nodesStoreName;
    private final int maxSamples;
    private final Duration emitInterval;
    private ProcessorContext<String, ReplicationLag> context;
    private LagCalculator calculator;

    public LagProcessor(String headsStore, String samplesStore, String nodesStore, int maxSamples,
            Duration emitInterval) {
        this.headsStoreName = headsStore;
        this.samplesStoreName = samplesStore;
        this.nodesStoreName = nodesStore;
        this.maxSamples = maxSamples;
        this.emitInterval = emitInterval;
    }

    @Override
    public void init(ProcessorContext<String, ReplicationLag> context) {
        this.context = context;
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
                samples.put(new Position(partition, offset).toString(), timestamp);
            }

            @Override
            public void sampleRemoved(int partition, long offset) {
                samples.delete(new Position(partition, offset).toString());
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
