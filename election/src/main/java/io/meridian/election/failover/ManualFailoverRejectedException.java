package io.meridian.election.failover;

import java.util.Objects;

/** A manual failover request that was rejected; {@link #error()} says why, with a stable code. Not retriable as is. */
public final class ManualFailoverRejectedException extends FailoverException {
    private final transient ManualFailoverError error;

    public ManualFailoverRejectedException(ManualFailoverError error) {
        super(Objects.requireNonNull(error, "error").region(), error.message());
        this.error = error;
    }

    public ManualFailoverError error() {
        return error;
    }
}
