package io.meridian.router;

import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteState;
import io.meridian.streams.ApplyOutcome;
import io.meridian.streams.ApplyOutcome.Verdict;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.StoredDocument;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The WAL producer and this region's applier in one, in memory: every record sent is acknowledged at the next
 * offset of partition 0 and decided like the real applier decides (fence = {@link #fences}, else the region's
 * placement), on another thread. Modes let a test make Kafka fail or the applier stay silent.
 */
final class FakeWal extends MockProducer<String, WalRecord> {
    enum Mode { APPLY, SILENT, SEND_FAILS, RECORD_TOO_LARGE }

    private final FakeRegion region;
    private final ApplyTracker tracker;
    private final String regionName;
    private final AtomicLong offsets = new AtomicLong();
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-applier");
        t.setDaemon(true);
        return t;
    });
    final List<WalRecord> sent = new CopyOnWriteArrayList<>();
    /** Fences the applier has seen ahead of the placement view, by tenant. */
    final Map<String, Placement> fences = new ConcurrentHashMap<>();
    volatile Mode mode = Mode.APPLY;

    FakeWal(FakeRegion region, ApplyTracker tracker, String regionName) {
        this.region = region;
        this.tracker = tracker;
        this.regionName = regionName;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, WalRecord> record, Callback callback) {
        if (mode == Mode.SEND_FAILS) {
            TimeoutException error = new TimeoutException("Expiring 1 record(s): 1000 ms has passed (test)");
            callback.onCompletion(null, error);
            return CompletableFuture.failedFuture(error);
        }
        if (mode == Mode.RECORD_TOO_LARGE) {
            // As the broker answers a batch over the topic's max.message.bytes.
            RecordTooLargeException error = new RecordTooLargeException("The request included a message larger"
                    + " than the max message size the server will accept (test)");
            callback.onCompletion(null, error);
            return CompletableFuture.failedFuture(error);
        }
        sent.add(record.value());
        long offset = offsets.getAndIncrement();
        RecordMetadata metadata = new RecordMetadata(new TopicPartition(record.topic(), 0), offset, 0,
                System.currentTimeMillis(), 0, 0);
        callback.onCompletion(metadata, null);
        if (mode == Mode.APPLY) {
            applier.execute(() -> apply((WalRecord.DataRecord) record.value(), new Position(0, offset)));
        }
        return CompletableFuture.completedFuture(metadata);
    }

    private void apply(WalRecord.DataRecord data, Position position) {
        Placement fence = fences.getOrDefault(data.tenant(), region.placements.get(data.tenant()));
        ApplyOutcome outcome;
        if (fence == null) {
            outcome = new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_UNKNOWN_TENANT, null, "unknown");
        } else if (fence.writes() == WriteState.PAUSED) {
            outcome = new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_PAUSED, fence, "paused");
        } else if (data.epoch() != fence.epoch()) {
            outcome = new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_STALE_EPOCH, fence, "stale");
        } else if (!fence.acceptsWritesIn(data.region())) {
            outcome = new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.REJECTED_NOT_WRITABLE_HERE, fence, "here");
        } else {
            String key = FakeRegion.docKey(data.tenant(), data.key());
            if (data instanceof WalRecord.Put put) {
                region.docs.put(key, new StoredDocument(put.value(), position.toString(), data.epoch(), data.hlc(),
                        data.region()));
            } else {
                region.docs.remove(key);
            }
            outcome = new ApplyOutcome(data.tenant(), data.writeId(), position, Verdict.ACCEPTED, fence, "applied");
        }
        tracker.onDecided(outcome);
        tracker.onApplied(position);
    }

    @Override
    public void close() {
        applier.shutdownNow();
    }

    String regionName() {
        return regionName;
    }
}
