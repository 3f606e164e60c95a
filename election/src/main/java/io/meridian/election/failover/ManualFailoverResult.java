package io.meridian.election.failover;

import java.util.Objects;

/** The outcome of planning a manual failover: a plan, or a typed error. Immutable. */
public sealed interface ManualFailoverResult {

    /** The plan, or {@link ManualFailoverRejectedException} carrying the error. */
    FailoverPlan orElseThrow();

    record Planned(FailoverPlan plan) implements ManualFailoverResult {
        public Planned {
            Objects.requireNonNull(plan, "plan");
        }

        @Override
        public FailoverPlan orElseThrow() {
            return plan;
        }
    }

    record Rejected(ManualFailoverError error) implements ManualFailoverResult {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public FailoverPlan orElseThrow() {
            throw new ManualFailoverRejectedException(error);
        }
    }
}
