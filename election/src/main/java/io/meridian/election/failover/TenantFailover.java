package io.meridian.election.failover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.meridian.infra.model.Placement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a failover does to one tenant whose primary is the failed region: its new placement, or why it stays, and
 * every candidate considered. Immutable; the constructor checks that the parts agree (a promotion bumps the epoch by
 * one, changes only the primary, and chooses exactly the candidate that became primary).
 *
 * @param oldPlacement the placement in force
 * @param partition    the tenant's WAL partition (where applied positions were compared)
 * @param outcome      promoted, or why not
 * @param newPlacement for {@link Outcome#PROMOTED}: primary = the chosen region, epoch + 1; else empty
 * @param candidates   every replica region other than the failed one, best first
 * @param reason       a one-line summary for the event log
 */
public record TenantFailover(Placement oldPlacement, int partition, Outcome outcome, Optional<Placement> newPlacement,
                             List<FailoverCandidate> candidates, String reason) {

    /** What happened to the tenant. */
    public enum Outcome {
        /** A replica region became the primary. */
        PROMOTED("promoted"),
        /** No replica region is healthy: the tenant stays on the failed region (and is reported). */
        NO_HEALTHY_REPLICA("no-healthy-replica"),
        /** Manual failover to a target that is not a replica of this tenant: the tenant stays (and is reported). */
        TARGET_NOT_REPLICA("target-not-replica");

        private final String wireName;

        Outcome(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static Outcome fromWire(String value) {
            for (Outcome outcome : values()) {
                if (outcome.wireName.equals(value)) {
                    return outcome;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not a valid TenantFailover.Outcome; expected one of:"
                    + " promoted, no-healthy-replica, target-not-replica");
        }
    }

    public TenantFailover {
        Objects.requireNonNull(oldPlacement, "oldPlacement");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(newPlacement, "newPlacement");
        Objects.requireNonNull(reason, "reason");
        candidates = List.copyOf(candidates);
        List<FailoverCandidate> chosen = candidates.stream().filter(FailoverCandidate::chosen).toList();
        if (outcome == Outcome.PROMOTED) {
            Placement next = newPlacement.orElseThrow(() -> new IllegalArgumentException(
                    "a promotion of tenant '" + oldPlacement.tenant() + "' needs a new placement"));
            if (!next.equals(oldPlacement.withPrimary(next.primary(), oldPlacement.epoch() + 1))
                    || next.primary().equals(oldPlacement.primary())) {
                throw new IllegalArgumentException("new placement " + next + " of tenant '" + oldPlacement.tenant()
                        + "' must differ from " + oldPlacement + " only by a new primary and epoch + 1");
            }
            if (chosen.size() != 1 || !chosen.get(0).region().equals(next.primary())) {
                throw new IllegalArgumentException("tenant '" + oldPlacement.tenant() + "': exactly the new primary '"
                        + next.primary() + "' must be the chosen candidate, got " + chosen);
            }
        } else if (newPlacement.isPresent() || !chosen.isEmpty()) {
            throw new IllegalArgumentException("tenant '" + oldPlacement.tenant() + "' is " + outcome.wireName()
                    + ": it can have neither a new placement nor a chosen candidate");
        }
    }

    public String tenant() {
        return oldPlacement.tenant();
    }

    public String oldPrimary() {
        return oldPlacement.primary();
    }

    public Optional<String> newPrimary() {
        return newPlacement.map(Placement::primary);
    }

    public boolean promoted() {
        return outcome == Outcome.PROMOTED;
    }
}
