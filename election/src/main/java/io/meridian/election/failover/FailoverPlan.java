package io.meridian.election.failover;

import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A failover of one region, decided but not yet executed: for every tenant whose primary is the region, its new
 * placement or why it stays. The controller executes it (per tenant, one transaction: placement, fence, event) and
 * publishes a {@link FailoverEvent}. Immutable.
 *
 * @param trigger         automatic or manual
 * @param region          the region being failed over
 * @param target          the operator's target region (manual failover only)
 * @param forced          a manual failover that overrode the inhibit window
 * @param observers       the other regions whose nodes suspected the region when the plan was made
 * @param controllerEpoch the epoch of the controller that made the plan, carried into every event and fence
 * @param plannedAtMillis when the plan was made
 * @param tenants         one entry per tenant whose primary is {@code region}, sorted by tenant
 */
public record FailoverPlan(FailoverTrigger trigger, String region, Optional<String> target, boolean forced,
                           Set<String> observers, long controllerEpoch, long plannedAtMillis,
                           List<TenantFailover> tenants) {

    public FailoverPlan {
        Objects.requireNonNull(trigger, "trigger");
        Names.requireRegion(region);
        Objects.requireNonNull(target, "target");
        target.ifPresent(Names::requireRegion);
        if (trigger == FailoverTrigger.AUTOMATIC && (target.isPresent() || forced)) {
            throw new IllegalArgumentException("an automatic failover has neither a target nor force");
        }
        observers = Collections.unmodifiableSortedSet(new TreeSet<>(observers));
        if (controllerEpoch < 0) {
            throw new IllegalArgumentException("controllerEpoch must not be negative, got " + controllerEpoch);
        }
        tenants = List.copyOf(tenants);
        Set<String> seen = new HashSet<>();
        for (TenantFailover tenant : tenants) {
            if (!tenant.oldPrimary().equals(region)) {
                throw new IllegalArgumentException("tenant '" + tenant.tenant() + "' has its primary in '"
                        + tenant.oldPrimary() + "', not in the failed region '" + region + "'");
            }
            if (!seen.add(tenant.tenant())) {
                throw new IllegalArgumentException("tenant '" + tenant.tenant() + "' appears twice in the plan");
            }
        }
    }

    public List<TenantFailover> promoted() {
        return tenants.stream().filter(TenantFailover::promoted).toList();
    }

    /** Tenants that stay on the failed region: no healthy replica, or (manual) the target is not a replica. */
    public List<TenantFailover> stayed() {
        return tenants.stream().filter(t -> !t.promoted()).toList();
    }

    /** The placements to write, one per promoted tenant. */
    public List<Placement> newPlacements() {
        return tenants.stream().flatMap(t -> t.newPlacement().stream()).toList();
    }
}
