package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a tenant's primary accepts writes ({@code active}) or holds them ({@code paused}, during a migration). */
public enum WriteState {
    ACTIVE("active"),
    PAUSED("paused");

    private final String wireName;

    WriteState(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static WriteState fromWire(String value) {
        return WireNames.parse(WriteState.class, values(), WriteState::wireName, value);
    }
}
