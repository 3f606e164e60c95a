package io.meridian.router;

import io.meridian.election.controller.ControlPlane.NotControllerException;
import io.meridian.infra.model.MigrationState;
import io.meridian.migration.AlreadySwitchedException;
import io.meridian.migration.Migration;
import io.meridian.migration.MigrationNotFoundException;
import io.meridian.migration.MigrationPlan;
import io.meridian.migration.Migrations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Migrations in memory, as the router sees the controller's executor: {@link #start} records a {@code requested}
 * migration with id {@code m-1, m-2, ...}; {@link #cancel} ends an active one {@code cancelled} (or, with
 * {@link #cancelPending}, only marks it cancel-requested), refuses a switched one and returns an ended one as it is;
 * {@link #plan} records the call and answers {@link #plan} (writes nothing). Not the controller
 * ({@link #controller} false): every call throws {@link NotControllerException}, as the real executor does. Every
 * call is recorded, with the thread it ran on, before any {@link #failure} is thrown. Thread-safe.
 */
final class FakeMigrations implements Migrations {
    static final long REQUESTED_AT = 1_700_000_000_000L;

    /** One call as the router made it; {@code target} is the region or the migration id. */
    record Call(String op, String subject, String target, String requestedBy, String thread) {
    }

    volatile boolean controller = true;
    /** Thrown by the next calls (after recording them). */
    volatile RuntimeException failure;
    /** Cancel marks the migration cancel-requested but leaves it active (the roll-back has not committed yet). */
    volatile boolean cancelPending;
    volatile MigrationPlan plan;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Migration> migrations = new LinkedHashMap<>();
    private int nextId = 1;

    static Migration migration(String id, String tenant, String from, String to, MigrationState state) {
        return new Migration(id, tenant, from, to, state, 30_000, REQUESTED_AT, REQUESTED_AT + 5, 4, "", -1, false,
                -1, 0, "requested by test");
    }

    static MigrationPlan plan(String tenant, String from, String to, boolean valid) {
        return new MigrationPlan(tenant, from, to, 4, valid, valid ? "" : "target_lagging",
                valid ? "" : "target region " + to + " lags 900 WAL entries behind: retry when it has caught up",
                List.of(new MigrationPlan.Step("validate", "check " + to), new MigrationPlan.Step("pause", "epoch 5"),
                        new MigrationPlan.Step("drain", "until the fence"), new MigrationPlan.Step("switch", "epoch 6")),
                valid ? 2 : 900, 1_000, 120.5, valid ? 1_200 : 9_000, 5_000, !valid, 30_000);
    }

    /** A migration already in the log. */
    synchronized Migration given(Migration migration) {
        migrations.put(migration.id(), migration);
        return migration;
    }

    synchronized List<Call> calls(String op) {
        return calls.stream().filter(c -> c.op().equals(op)).toList();
    }

    @Override
    public MigrationPlan plan(String tenant, String toRegion) {
        record("plan", tenant, toRegion, null);
        MigrationPlan answer = plan;
        return answer != null ? answer : plan(tenant, "us-east", toRegion, true);
    }

    @Override
    public synchronized Migration start(String tenant, String toRegion, String requestedBy) {
        record("start", tenant, toRegion, requestedBy);
        Migration m = new Migration("m-" + nextId++, tenant, "us-east", toRegion, MigrationState.REQUESTED, 30_000,
                REQUESTED_AT, REQUESTED_AT, 0, "", -1, false, -1, 0, "requested by " + requestedBy);
        migrations.put(m.id(), m);
        return m;
    }

    @Override
    public synchronized Optional<Migration> get(String migrationId) {
        record("get", migrationId, null, null);
        return Optional.ofNullable(migrations.get(migrationId));
    }

    @Override
    public synchronized List<Migration> forTenant(String tenant) {
        record("forTenant", tenant, null, null);
        return migrations.values().stream().filter(m -> m.tenant().equals(tenant)).toList();
    }

    @Override
    public synchronized List<Migration> active() {
        record("active", null, null, null);
        return migrations.values().stream().filter(Migration::active).toList();
    }

    @Override
    public synchronized Migration cancel(String migrationId, String requestedBy) {
        record("cancel", migrationId, null, requestedBy);
        Migration m = migrations.get(migrationId);
        if (m == null) {
            throw new MigrationNotFoundException(migrationId);
        }
        if (m.state() == MigrationState.SWITCHED || m.state() == MigrationState.COMPLETED) {
            throw new AlreadySwitchedException(m.tenant(), m.id(), m.toRegion());
        }
        if (!m.active()) {
            return m;
        }
        Migration after = new Migration(m.id(), m.tenant(), m.fromRegion(), m.toRegion(),
                cancelPending ? m.state() : MigrationState.CANCELLED, m.timeoutMs(), m.requestedAt(),
                m.updatedAt() + 1, m.placementEpoch(), m.pauseFence(), m.pausedAt(), true, m.remainingEntries(),
                m.entriesPerSecond(), cancelPending ? m.reason() : "cancelled by " + requestedBy);
        migrations.put(after.id(), after);
        return after;
    }

    private void record(String op, String subject, String target, String requestedBy) {
        calls.add(new Call(op, subject, target, requestedBy, Thread.currentThread().getName()));
        if (!controller) {
            throw new NotControllerException("migrations run on the controller only: this node is not the"
                    + " controller (test)");
        }
        RuntimeException toThrow = failure;
        if (toThrow != null) {
            throw toThrow;
        }
    }

    synchronized List<Migration> all() {
        return new ArrayList<>(migrations.values());
    }
}
