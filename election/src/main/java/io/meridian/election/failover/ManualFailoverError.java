package io.meridian.election.failover;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Why a manual failover request was rejected. Each error has a stable {@link #code()} (for the HTTP API's JSON body)
 * and a message that says what to do. Immutable.
 */
public sealed interface ManualFailoverError {

    /** The region the operator asked to fail over. */
    String region();

    /** Stable, lower-case, for machines. */
    String code();

    /** For people: what is wrong and what to do. */
    String message();

    /** The region is not one the health monitor knows. */
    record UnknownRegion(String region, Set<String> knownRegions) implements ManualFailoverError {
        public UnknownRegion {
            Objects.requireNonNull(region, "region");
            knownRegions = Collections.unmodifiableSortedSet(new TreeSet<>(knownRegions));
        }

        @Override
        public String code() {
            return "unknown_region";
        }

        @Override
        public String message() {
            return "unknown region '" + region + "'; known regions: " + knownRegions;
        }
    }

    /** The target is unknown, the failed region itself, not healthy, or a replica of none of the tenants to move. */
    record InvalidTarget(String region, String target, String reason) implements ManualFailoverError {
        public InvalidTarget {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String code() {
            return "invalid_target";
        }

        @Override
        public String message() {
            return "cannot fail '" + region + "' over to '" + target + "': " + reason
                    + "; choose a healthy replica region, or omit the target to let the controller choose";
        }
    }

    /** The region was failed over recently and the request did not force. */
    record Inhibited(String region, long untilMillis) implements ManualFailoverError {
        public Inhibited {
            Objects.requireNonNull(region, "region");
        }

        @Override
        public String code() {
            return "inhibited";
        }

        @Override
        public String message() {
            return "region '" + region + "' was failed over recently and is inhibited until " + untilMillis
                    + "; retry after that, or force";
        }
    }
}
