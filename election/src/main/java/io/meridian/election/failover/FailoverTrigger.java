package io.meridian.election.failover;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What started a failover. */
public enum FailoverTrigger {
    /** The controller, because a region was unhealthy for the leader-timeout with a quorum of observers. */
    AUTOMATIC("automatic"),
    /** An operator ({@code meridianctl replication failover}). */
    MANUAL("manual");

    private final String wireName;

    FailoverTrigger(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static FailoverTrigger fromWire(String value) {
        for (FailoverTrigger trigger : values()) {
            if (trigger.wireName.equals(value)) {
                return trigger;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a valid FailoverTrigger; expected one of: "
                + "automatic, manual");
    }
}
