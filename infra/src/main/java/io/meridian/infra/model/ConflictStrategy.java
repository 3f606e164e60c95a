package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How an applier resolves a data record that conflicts with the tenant's current fence.
 * <ul>
 *   <li>{@code reject}: drop the record and report the conflict;</li>
 *   <li>{@code lww}: last writer wins by hybrid-logical-clock timestamp;</li>
 *   <li>{@code merge}: JSON merge patch (RFC 7386) of the record onto the current document.</li>
 * </ul>
 */
public enum ConflictStrategy {
    LWW("lww"),
    MERGE("merge"),
    REJECT("reject");

    private final String wireName;

    ConflictStrategy(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static ConflictStrategy fromWire(String value) {
        return WireNames.parse(ConflictStrategy.class, values(), ConflictStrategy::wireName, value);
    }
}
