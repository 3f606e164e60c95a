package io.meridian.migration.testing;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.migration.internal.MigrationSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Replays the {@link FakeControllerContext}'s migration log and reports its WAL end offsets. */
public final class FakeMigrationSource implements MigrationSource {
    private final FakeControllerContext context;
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger closes = new AtomicInteger();
    public volatile boolean failReads;

    public FakeMigrationSource(FakeControllerContext context) {
        this.context = context;
    }

    @Override
    public List<MigrationEvent> readAll() {
        if (failReads) {
            throw new IllegalStateException("cannot read meridian.migrations (fake)");
        }
        reads.incrementAndGet();
        return List.copyOf(context.log);
    }

    @Override
    public Map<Integer, Long> walEndOffsets(Collection<Integer> partitions) {
        Map<Integer, Long> offsets = new HashMap<>();
        partitions.forEach(p -> offsets.put(p, context.walEnd.getOrDefault(p, 0L)));
        return offsets;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
