package io.meridian.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One tenant's failback as the controller sees it now: waiting (and why), or running (its migration). Immutable.
 *
 * @param tenant        the tenant
 * @param fromRegion    its primary now
 * @param toRegion      its preferred primary
 * @param state         {@code waiting} or {@code running}
 * @param failoverEpoch the placement epoch of the automatic failover being undone (0: an operator's trigger)
 * @param failedOverAt  when that failover finished (epoch millis), -1 when none
 * @param eligibleAt    the earliest time the controller would start it on its own, -1 when unknown (the preferred
 *                      region is not healthy, automatic failback is off, or it is running)
 * @param migrationId   the migration moving it back while running, else ""
 * @param reason        why it waits, or what runs
 */
public record Failback(
        @JsonProperty("tenant") String tenant,
        @JsonProperty("fromRegion") String fromRegion,
        @JsonProperty("toRegion") String toRegion,
        @JsonProperty("state") String state,
        @JsonProperty("failoverEpoch") long failoverEpoch,
        @JsonProperty("failedOverAt") long failedOverAt,
        @JsonProperty("eligibleAt") long eligibleAt,
        @JsonProperty("migrationId") String migrationId,
        @JsonProperty("reason") String reason) {

    public static final String WAITING = "waiting";
    public static final String RUNNING = "running";

    public Failback {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(migrationId, "migrationId");
        Objects.requireNonNull(reason, "reason");
    }
}
