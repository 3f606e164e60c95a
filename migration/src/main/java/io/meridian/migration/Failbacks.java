package io.meridian.migration;

import io.meridian.election.controller.ControlPlane;
import java.util.List;

/**
 * Failbacks of tenants to their preferred primary, as the router's admin API and the CLI see them. Implemented by
 * {@link FailbackDuty}, which runs on the controller only: elsewhere every method throws
 * {@link ControlPlane.NotControllerException} and the caller forwards the request to the controller. Errors are
 * {@link MigrationException}s with a stable code. Thread-safe.
 */
public interface Failbacks {

    /** Every failback waiting or running, by tenant. */
    List<Failback> pending();

    /**
     * Starts the tenant's failback now: without waiting for {@code failback.after.ms}, the inhibit window or the
     * per-region limit; the migration's own checks (healthy, caught up, no other migration) still apply.
     *
     * @throws TenantNotFoundException      404 {@code tenant_not_found}
     * @throws FailbackNotPendingException  409 {@code failback_not_pending}: no preferred primary, or already on it
     * @throws MigrationException           the migration's refusal ({@code target_unhealthy}, {@code target_lagging},
     *                                      {@code migration_in_progress}, ...)
     */
    Failback trigger(String tenant, String requestedBy);

    /**
     * Cancels the tenant's failback: a waiting one will not start (a new automatic failover may make a new one), a
     * running one's migration is cancelled (rolled back) if it has not switched yet.
     *
     * @throws FailbackNotPendingException 409 {@code failback_not_pending}: nothing waits or runs
     * @throws AlreadySwitchedException    409 {@code already_switched}: the tenant is already back
     */
    Failback cancel(String tenant, String requestedBy);

    /** No failback duty on this node: every call answers 503 {@code migrations_unavailable}. */
    Failbacks NONE = new Failbacks() {
        @Override
        public List<Failback> pending() {
            throw unavailable();
        }

        @Override
        public Failback trigger(String tenant, String requestedBy) {
            throw unavailable();
        }

        @Override
        public Failback cancel(String tenant, String requestedBy) {
            throw unavailable();
        }

        private MigrationsUnavailableException unavailable() {
            return new MigrationsUnavailableException("this node runs no failback duty");
        }
    };
}
