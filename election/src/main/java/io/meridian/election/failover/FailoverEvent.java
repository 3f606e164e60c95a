package io.meridian.election.failover;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.election.health.RegionHealth;
import io.meridian.infra.model.Names;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A failover with its full context, as the controller publishes it on {@code meridian.controller} (as JSON through
 * {@link io.meridian.infra.serde.Json}); consumers dispatch on {@code type}. Immutable and strict on the way in: every
 * field is required and non-null, so "none" is spelt out ({@code target} is {@code ""} when no target was requested,
 * a candidate's {@code appliedOffset} is {@link FailoverCandidate#NO_POSITION}, an unknown health is {@code "unknown"}), and
 * the parts must agree (duration = finished − started; a promotion bumps the epoch by one).
 *
 * <p>A failover of many tenants is written in bounded transactions, each with the event {@code part} of
 * {@code parts} listing the tenants that transaction moved (the tenants that stayed are in the last part). Every part
 * carries the same region, trigger, controller epoch and {@code startedAtMillis}, so readers folding per tenant need
 * nothing else; {@code part} and {@code parts} are 1 when absent (events written before parts existed).
 */
public record FailoverEvent(
        @JsonProperty(value = "type", required = true) String type,
        @JsonProperty(value = "trigger", required = true) FailoverTrigger trigger,
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "target", required = true) String target,
        @JsonProperty(value = "forced", required = true) boolean forced,
        @JsonProperty(value = "observers", required = true) List<String> observers,
        @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch,
        @JsonProperty(value = "startedAtMillis", required = true) long startedAtMillis,
        @JsonProperty(value = "finishedAtMillis", required = true) long finishedAtMillis,
        @JsonProperty(value = "durationMillis", required = true) long durationMillis,
        @JsonProperty(value = "tenants", required = true) List<TenantResult> tenants,
        @JsonProperty("part") int part,
        @JsonProperty("parts") int parts) {

    /** The {@code type} of every failover event on {@code meridian.controller}. */
    public static final String TYPE = "failover";
    /** {@code target} when none was requested. */
    public static final String NO_TARGET = "";
    /** A candidate's {@code health} when the health monitor does not know the region. */
    public static final String UNKNOWN_HEALTH = "unknown";

    public FailoverEvent {
        part = part == 0 ? 1 : part;
        parts = parts == 0 ? 1 : parts;
        if (part < 1 || part > parts) {
            throw new IllegalArgumentException("part must be 1.." + parts + ", got " + part);
        }
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("type must be '" + TYPE + "', got '" + type + "'");
        }
        Objects.requireNonNull(trigger, "trigger");
        Names.requireRegion(region);
        Objects.requireNonNull(target, "target");
        if (!target.equals(NO_TARGET)) {
            Names.requireRegion(target);
        }
        observers = List.copyOf(observers);
        observers.forEach(Names::requireRegion);
        if (controllerEpoch < 0) {
            throw new IllegalArgumentException("controllerEpoch must not be negative, got " + controllerEpoch);
        }
        if (finishedAtMillis < startedAtMillis || durationMillis != finishedAtMillis - startedAtMillis) {
            throw new IllegalArgumentException("durationMillis " + durationMillis + " must be finishedAtMillis "
                    + finishedAtMillis + " - startedAtMillis " + startedAtMillis + ", and not negative");
        }
        tenants = List.copyOf(tenants);
        for (TenantResult tenant : tenants) {
            if (!tenant.primaryBefore().equals(region)) {
                throw new IllegalArgumentException("tenant '" + tenant.tenant() + "' had its primary in '"
                        + tenant.primaryBefore() + "', not in the failed region '" + region + "'");
            }
        }
    }

    /** A whole failover's event, in one part. */
    public FailoverEvent(String type, FailoverTrigger trigger, String region, String target, boolean forced,
                         List<String> observers, long controllerEpoch, long startedAtMillis, long finishedAtMillis,
                         long durationMillis, List<TenantResult> tenants) {
        this(type, trigger, region, target, forced, observers, controllerEpoch, startedAtMillis, finishedAtMillis,
                durationMillis, tenants, 1, 1);
    }

    /** The event for an executed {@code plan}. */
    public static FailoverEvent of(FailoverPlan plan, long startedAtMillis, long finishedAtMillis) {
        return part(plan, plan.tenants(), 1, 1, startedAtMillis, finishedAtMillis);
    }

    /** Part {@code part} of {@code parts} of the event for {@code plan}: the tenants one of its transactions moved. */
    public static FailoverEvent part(FailoverPlan plan, List<TenantFailover> tenants, int part, int parts,
                                     long startedAtMillis, long finishedAtMillis) {
        return new FailoverEvent(TYPE, plan.trigger(), plan.region(), plan.target().orElse(NO_TARGET), plan.forced(),
                List.copyOf(plan.observers()), plan.controllerEpoch(), startedAtMillis, finishedAtMillis,
                finishedAtMillis - startedAtMillis, tenants.stream().map(TenantResult::of).toList(), part, parts);
    }

    /** One tenant's part: before and after (equal when it stayed), and every candidate. */
    public record TenantResult(
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "outcome", required = true) TenantFailover.Outcome outcome,
            @JsonProperty(value = "partition", required = true) int partition,
            @JsonProperty(value = "primaryBefore", required = true) String primaryBefore,
            @JsonProperty(value = "primaryAfter", required = true) String primaryAfter,
            @JsonProperty(value = "epochBefore", required = true) long epochBefore,
            @JsonProperty(value = "epochAfter", required = true) long epochAfter,
            @JsonProperty(value = "reason", required = true) String reason,
            @JsonProperty(value = "candidates", required = true) List<CandidateResult> candidates) {

        public TenantResult {
            Names.requireTenant(tenant);
            Objects.requireNonNull(outcome, "outcome");
            Names.requireRegion(primaryBefore);
            Names.requireRegion(primaryAfter);
            Objects.requireNonNull(reason, "reason");
            candidates = List.copyOf(candidates);
            boolean moved = !primaryAfter.equals(primaryBefore) || epochAfter != epochBefore;
            if (outcome == TenantFailover.Outcome.PROMOTED) {
                if (primaryAfter.equals(primaryBefore) || epochAfter != epochBefore + 1) {
                    throw new IllegalArgumentException("promoted tenant '" + tenant
                            + "' needs a new primary and epochAfter = epochBefore + 1, got " + primaryBefore + "@"
                            + epochBefore + " -> " + primaryAfter + "@" + epochAfter);
                }
            } else if (moved) {
                throw new IllegalArgumentException("tenant '" + tenant + "' is " + outcome.wireName()
                        + ": primary and epoch must stay, got " + primaryBefore + "@" + epochBefore + " -> "
                        + primaryAfter + "@" + epochAfter);
            }
        }

        static TenantResult of(TenantFailover failover) {
            var before = failover.oldPlacement();
            var after = failover.newPlacement().orElse(before);
            return new TenantResult(failover.tenant(), failover.outcome(), failover.partition(), before.primary(),
                    after.primary(), before.epoch(), after.epoch(), failover.reason(),
                    failover.candidates().stream().map(CandidateResult::of).toList());
        }
    }

    /** One candidate region of a tenant, as {@link FailoverCandidate} saw it. */
    public record CandidateResult(
            @JsonProperty(value = "region", required = true) String region,
            @JsonProperty(value = "health", required = true) String health,
            @JsonProperty(value = "appliedOffset", required = true) long appliedOffset,
            @JsonProperty(value = "priority", required = true) int priority,
            @JsonProperty(value = "chosen", required = true) boolean chosen,
            @JsonProperty(value = "reason", required = true) String reason) {

        private static final Set<String> HEALTH_NAMES = Set.of(RegionHealth.HEALTHY.wireName(),
                RegionHealth.SUSPECT.wireName(), RegionHealth.UNHEALTHY.wireName(), UNKNOWN_HEALTH);

        public CandidateResult {
            Names.requireRegion(region);
            if (!HEALTH_NAMES.contains(health)) {
                throw new IllegalArgumentException("health must be one of " + HEALTH_NAMES + ", got '" + health + "'");
            }
            if (appliedOffset < FailoverCandidate.NO_POSITION) {
                throw new IllegalArgumentException("appliedOffset must be " + FailoverCandidate.NO_POSITION
                        + " (none) or an offset, got " + appliedOffset);
            }
            Objects.requireNonNull(reason, "reason");
        }

        static CandidateResult of(FailoverCandidate candidate) {
            return new CandidateResult(candidate.region(),
                    candidate.health().map(RegionHealth::wireName).orElse(UNKNOWN_HEALTH), candidate.appliedOffset(),
                    candidate.priority(), candidate.chosen(), candidate.reason());
        }
    }
}
