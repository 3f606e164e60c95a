package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** {@code single-primary}: only the primary region accepts writes; {@code multi-primary}: every replica region does. */
public enum ReplicationMode {
    SINGLE_PRIMARY("single-primary"),
    MULTI_PRIMARY("multi-primary");

    private final String wireName;

    ReplicationMode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ReplicationMode fromWire(String value) {
        return WireNames.parse(ReplicationMode.class, values(), ReplicationMode::wireName, value);
    }
}
