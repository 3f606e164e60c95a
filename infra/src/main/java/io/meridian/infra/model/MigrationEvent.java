package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * One entry of {@code meridian.migrations} (key = tenant): a command any node appends ({@link Requested},
 * {@link CancelRequested}) or a lifecycle event the controller appends ({@link StateChanged}, {@link Progress}).
 * Replaying a tenant's events in order rebuilds every migration exactly; operators tail the same log.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = MigrationEvent.Requested.class, name = "requested"),
        @JsonSubTypes.Type(value = MigrationEvent.CancelRequested.class, name = "cancel_requested"),
        @JsonSubTypes.Type(value = MigrationEvent.StateChanged.class, name = "state_changed"),
        @JsonSubTypes.Type(value = MigrationEvent.Progress.class, name = "progress"),
        @JsonSubTypes.Type(value = MigrationEvent.Failback.class, name = "failback")
})
public sealed interface MigrationEvent {
    String migrationId();

    String tenant();

    long timestamp();

    /** A migration was asked for. */
    record Requested(
            @JsonProperty(value = "migrationId", required = true) String migrationId,
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "fromRegion", required = true) String fromRegion,
            @JsonProperty(value = "toRegion", required = true) String toRegion,
            @JsonProperty(value = "timeoutMs", required = true) long timeoutMs,
            @JsonProperty(value = "requestedBy", required = true) String requestedBy,
            @JsonProperty(value = "timestamp", required = true) long timestamp) implements MigrationEvent {
        public Requested {
            Objects.requireNonNull(migrationId, "migrationId");
            Names.requireTenant(tenant);
            Names.requireRegion(fromRegion);
            Names.requireRegion(toRegion);
            if (timeoutMs < 1) {
                throw new IllegalArgumentException("timeoutMs must be positive, got " + timeoutMs);
            }
        }
    }

    /** An operator asked to cancel. Idempotent: a second request changes nothing. */
    record CancelRequested(
            @JsonProperty(value = "migrationId", required = true) String migrationId,
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "requestedBy", required = true) String requestedBy,
            @JsonProperty(value = "timestamp", required = true) long timestamp) implements MigrationEvent {
    }

    /**
     * The controller moved the migration to {@code state}.
     *
     * @param fencePosition the WAL position of the fence written with this step, or "" when the step wrote none
     */
    record StateChanged(
            @JsonProperty(value = "migrationId", required = true) String migrationId,
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "state", required = true) MigrationState state,
            @JsonProperty(value = "placementEpoch", required = true) long placementEpoch,
            @JsonProperty(value = "fencePosition", required = true) String fencePosition,
            @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch,
            @JsonProperty(value = "reason", required = true) String reason,
            @JsonProperty(value = "timestamp", required = true) long timestamp) implements MigrationEvent {
    }

    /** While draining: how far the target region still is from the pause fence. */
    record Progress(
            @JsonProperty(value = "migrationId", required = true) String migrationId,
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "fencePosition", required = true) String fencePosition,
            @JsonProperty(value = "targetAppliedOffset", required = true) long targetAppliedOffset,
            @JsonProperty(value = "remainingEntries", required = true) long remainingEntries,
            @JsonProperty(value = "entriesPerSecond", required = true) double entriesPerSecond,
            @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch,
            @JsonProperty(value = "timestamp", required = true) long timestamp) implements MigrationEvent {
    }

    /**
     * The failback of a tenant to its preferred primary ({@code action}: {@code pending}, {@code started},
     * {@code completed}, {@code rolled_back}, {@code cancelled}), written by the controller so operators tailing the
     * log see it, and so a new controller knows which failbacks an operator cancelled. Not part of any migration's
     * fold: the failback's own migration has the usual events.
     *
     * @param migrationId   the migration that moves the tenant back, "" while none was started
     * @param fromRegion    the tenant's primary now (where an automatic failover moved it)
     * @param toRegion      its preferred primary
     * @param failoverEpoch the placement epoch the automatic failover set: names the failover this failback undoes
     *                      (0 for a failback an operator triggered without one)
     */
    record Failback(
            @JsonProperty(value = "migrationId", required = true) String migrationId,
            @JsonProperty(value = "tenant", required = true) String tenant,
            @JsonProperty(value = "action", required = true) String action,
            @JsonProperty(value = "fromRegion", required = true) String fromRegion,
            @JsonProperty(value = "toRegion", required = true) String toRegion,
            @JsonProperty(value = "failoverEpoch", required = true) long failoverEpoch,
            @JsonProperty(value = "requestedBy", required = true) String requestedBy,
            @JsonProperty(value = "reason", required = true) String reason,
            @JsonProperty(value = "controllerEpoch", required = true) long controllerEpoch,
            @JsonProperty(value = "timestamp", required = true) long timestamp) implements MigrationEvent {
        public static final String PENDING = "pending";
        public static final String STARTED = "started";
        public static final String COMPLETED = "completed";
        public static final String ROLLED_BACK = "rolled_back";
        public static final String CANCELLED = "cancelled";

        public Failback {
            Objects.requireNonNull(migrationId, "migrationId");
            Names.requireTenant(tenant);
            Objects.requireNonNull(action, "action");
            Names.requireRegion(fromRegion);
            Names.requireRegion(toRegion);
            Objects.requireNonNull(requestedBy, "requestedBy");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
