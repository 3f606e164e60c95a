package io.meridian.migration.internal;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState.IllegalMigrationTransitionException;
import io.meridian.migration.Migration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every migration of the event log, folded per migration id in log order with {@link Migration#apply}. The
 * controller's duties thread is the only writer ({@link #rebuild}, {@link #record}); any thread may read, and sees
 * each migration as one immutable {@link Migration} (a read may miss a record being made, never see half of one).
 */
public final class MigrationBook {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationBook.class);
    private static final Comparator<Migration> OLDEST_FIRST =
            Comparator.comparingLong(Migration::requestedAt).thenComparing(Migration::id);

    private volatile Map<String, Migration> byId = new ConcurrentHashMap<>();
    private volatile Map<String, String> cancelledBy = new ConcurrentHashMap<>();

    /**
     * Replaces everything with the fold of {@code events} (each partition's events in log order). An event the fold
     * cannot take (no {@code Requested} before it, e.g. expired by retention; a transition the state machine forbids)
     * is logged and skipped, so one bad record cannot stop a controller from taking over.
     *
     * @return how many events were skipped
     */
    public int rebuild(List<MigrationEvent> events) {
        Map<String, Migration> migrations = new ConcurrentHashMap<>();
        Map<String, String> cancels = new ConcurrentHashMap<>();
        int skipped = 0;
        for (MigrationEvent event : events) {
            if (event instanceof MigrationEvent.Failback) {
                continue;  // the failback's story, told next to its migration's: no migration's fold
            }
            try {
                fold(migrations, cancels, event);
            } catch (IllegalArgumentException | IllegalMigrationTransitionException e) {
                skipped++;
                LOG.warn("migration replay skips an event tenant={} migration={} type={}: {}", event.tenant(),
                        event.migrationId(), event.getClass().getSimpleName(), e.getMessage());
            }
        }
        byId = migrations;
        cancelledBy = cancels;
        return skipped;
    }

    /** Folds one event this controller just committed; returns the migration after it. */
    public Migration record(MigrationEvent event) {
        return fold(byId, cancelledBy, event);
    }

    private static Migration fold(Map<String, Migration> migrations, Map<String, String> cancels,
                                  MigrationEvent event) {
        Migration next;
        if (event instanceof MigrationEvent.Requested requested) {
            if (migrations.containsKey(event.migrationId())) {
                throw new IllegalArgumentException("migration " + event.migrationId() + " was requested twice");
            }
            next = Migration.requested(requested);
        } else {
            Migration current = migrations.get(event.migrationId());
            if (current == null) {
                throw new IllegalArgumentException("no Requested event precedes it (expired by retention?)");
            }
            next = current.apply(event);
            if (event instanceof MigrationEvent.CancelRequested cancel) {
                cancels.putIfAbsent(event.migrationId(), cancel.requestedBy());
            }
        }
        migrations.put(next.id(), next);
        return next;
    }

    public Optional<Migration> get(String migrationId) {
        return Optional.ofNullable(byId.get(migrationId));
    }

    public List<Migration> forTenant(String tenant) {
        return byId.values().stream().filter(m -> m.tenant().equals(tenant)).sorted(OLDEST_FIRST).toList();
    }

    public List<Migration> active() {
        return byId.values().stream().filter(Migration::active).sorted(OLDEST_FIRST).toList();
    }

    /** The tenant's active migration other than {@code exceptId}, if any. */
    public Optional<Migration> activeFor(String tenant, String exceptId) {
        return byId.values().stream()
                .filter(m -> m.active() && m.tenant().equals(tenant) && !m.id().equals(exceptId))
                .min(OLDEST_FIRST);
    }

    public int activeCount() {
        return (int) byId.values().stream().filter(Migration::active).count();
    }

    /** Who asked to cancel {@code migrationId}, "" if nobody did. */
    public String cancelledBy(String migrationId) {
        return cancelledBy.getOrDefault(migrationId, "");
    }
}
