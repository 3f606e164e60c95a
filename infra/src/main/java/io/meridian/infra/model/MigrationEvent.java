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
        @JsonSubTypes.Type(value = MigrationEvent.Progress.class, name = "progress")
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
}
