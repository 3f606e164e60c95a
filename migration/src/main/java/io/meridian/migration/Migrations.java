package io.meridian.migration;

import io.meridian.election.controller.ControlPlane;
import java.util.List;
import java.util.Optional;

/**
 * Tenant migrations, as the router's admin API and the CLI see them. Implemented by {@link MigrationExecutor}, which
 * runs on the controller only: on every other node (and on the controller while it is still rebuilding its state
 * from {@code meridian.migrations}) every method throws {@link ControlPlane.NotControllerException}, and the caller
 * forwards the request to the controller.
 *
 * <p>Errors are {@link MigrationException}s with a stable {@link MigrationException#code() code} and an HTTP
 * {@link MigrationException#status() status}. Thread-safe: called from HTTP threads.
 */
public interface Migrations {

    /**
     * Dry run: validates a migration of {@code tenant} to {@code toRegion} and says what it would do (steps, the
     * target's current lag, the estimated drain time, whether that is over the write-pause budget). Writes nothing.
     * Validation failures (same region, not a replica, unhealthy, lagging, in progress) are reported in the plan.
     *
     * @throws TenantNotFoundException  404 {@code tenant_not_found}: there is nothing to plan
     * @throws UnknownRegionException   400 {@code unknown_region}
     */
    MigrationPlan plan(String tenant, String toRegion);

    /**
     * Validates what can be validated now, appends {@code Requested} to {@code meridian.migrations} in a controller
     * transaction and returns the migration (state {@code requested}); the controller carries it on at once.
     *
     * @throws MigrationException with one of the codes {@code tenant_not_found}, {@code unknown_region},
     *                            {@code same_region}, {@code not_a_replica}, {@code target_unhealthy},
     *                            {@code target_lagging}, {@code migration_in_progress}, {@code too_many_migrations}
     *                            (429: the source or target region is at {@code migration.max.per.region})
     */
    Migration start(String tenant, String toRegion, String requestedBy);

    /** The migration with this id, as the event log says it is. */
    Optional<Migration> get(String migrationId);

    /** Every migration of {@code tenant} the log holds, oldest first. */
    List<Migration> forTenant(String tenant);

    /** Every migration not yet completed, failed or cancelled, oldest first. */
    List<Migration> active();

    /**
     * Cancels a migration before its switch: the placement is rolled back (primary unchanged, writes active) and the
     * migration ends {@code cancelled}. Idempotent: cancelling a migration that already asked to be cancelled, or has
     * already failed or been cancelled, writes nothing and returns it as it is.
     *
     * @return the migration after the cancel (normally {@code cancelled})
     * @throws MigrationNotFoundException 404 {@code migration_not_found}
     * @throws AlreadySwitchedException   409 {@code already_switched}: the tenant already has its new primary;
     *                                    migrate it back instead
     */
    Migration cancel(String migrationId, String requestedBy);
}
