package io.meridian.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * The answer of a dry run ({@link Migrations#plan}): whether the migration would be accepted now, what it would do,
 * and how long writes would be paused. Nothing was written to produce it. Immutable.
 *
 * @param tenant                 the tenant
 * @param fromRegion             its primary now
 * @param toRegion               the requested target
 * @param placementEpoch         the placement epoch the plan was made against
 * @param valid                  whether {@link Migrations#start} would accept it now
 * @param errorCode              the {@link MigrationException#code()} it would be refused with, "" when valid
 * @param problem                what is wrong and what to do, "" when valid
 * @param steps                  what the migration does, in order
 * @param targetLagEntries       WAL entries of the tenant's partition the target has yet to apply; -1 when unknown
 * @param maxTargetLagEntries    the configured limit ({@code migration.max.target.lag.entries})
 * @param walEntriesPerSecond    the recent append rate of the tenant's WAL partition; 0 when not yet measured
 * @param estimatedDrainMs       how long the drain (and so the write pause) is expected to take; -1 when it cannot be
 *                               estimated (the target lags and neither it nor the log has been seen moving)
 * @param pauseBudgetMs          how long routers hold a paused write before answering 503
 *                               ({@code write.pause.budget.ms})
 * @param overPauseBudget        whether the estimated drain exceeds the pause budget: held writes would get 503 with
 *                               Retry-After (they are never lost); wait for the target to catch up to avoid it
 * @param timeoutMs              the migration is rolled back when not switched within this
 *                               ({@code migration.timeout.ms})
 */
public record MigrationPlan(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("fromRegion") String fromRegion,
        @JsonProperty("toRegion") String toRegion,
        @JsonProperty("placementEpoch") long placementEpoch,
        @JsonProperty("valid") boolean valid,
        @JsonProperty("errorCode") String errorCode,
        @JsonProperty("problem") String problem,
        @JsonProperty("steps") List<Step> steps,
        @JsonProperty("targetLagEntries") long targetLagEntries,
        @JsonProperty("maxTargetLagEntries") long maxTargetLagEntries,
        @JsonProperty("walEntriesPerSecond") double walEntriesPerSecond,
        @JsonProperty("estimatedDrainMs") long estimatedDrainMs,
        @JsonProperty("pauseBudgetMs") long pauseBudgetMs,
        @JsonProperty("overPauseBudget") boolean overPauseBudget,
        @JsonProperty("timeoutMs") long timeoutMs) {

    public MigrationPlan {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(problem, "problem");
        steps = List.copyOf(steps);
    }

    /**
     * One step of the plan.
     *
     * @param name        {@code validate}, {@code pause}, {@code drain}, {@code switch}
     * @param description what it does for this tenant, with epochs and regions
     */
    public record Step(@JsonProperty("name") String name, @JsonProperty("description") String description) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
        }
    }
}
