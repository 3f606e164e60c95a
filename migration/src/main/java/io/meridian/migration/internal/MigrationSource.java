package io.meridian.migration.internal;

import io.meridian.infra.model.MigrationEvent;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the migration executor reads from Kafka during one controller term: the migration event log (to rebuild
 * from) and the WAL's end offsets (to measure lag). Writes go through the controller's fenced producer, never here.
 * Opened when the node becomes the controller, closed when it stops. Used on the controller's duties thread only.
 */
public interface MigrationSource extends AutoCloseable {

    /**
     * Every event of {@code meridian.migrations} from the beginning, {@code read_committed}, up to the end offsets as
     * of the call; each partition's events in log order (a tenant's, and so a migration's, events share a partition).
     *
     * @throws IllegalStateException when the log cannot be read in time
     */
    List<MigrationEvent> readAll();

    /**
     * The {@code read_committed} end offset (the offset the next record would get) of each given WAL partition.
     *
     * @throws IllegalStateException when Kafka does not answer in time
     */
    Map<Integer, Long> walEndOffsets(Collection<Integer> partitions);

    @Override
    void close();
}
