package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How many regions holding a tenant must have applied a write before Meridian acknowledges it. The primary region
 * always counts as one: {@code local} (the default) is the primary alone, {@code regions=N} is N regions, the primary
 * included, {@code majority} is more than half of the tenant's replicas and {@code all} is every one of them.
 */
public record WriteConcern(Kind kind, int regions) {

    public enum Kind { LOCAL, REGIONS, MAJORITY, ALL }

    public static final WriteConcern LOCAL = new WriteConcern(Kind.LOCAL, 1);
    public static final WriteConcern MAJORITY = new WriteConcern(Kind.MAJORITY, 0);
    public static final WriteConcern ALL = new WriteConcern(Kind.ALL, 0);

    public WriteConcern {
        if (kind == null) {
            throw new IllegalArgumentException("a write concern needs a kind");
        }
        if (kind == Kind.REGIONS && regions < 1) {
            throw new IllegalArgumentException("regions=N needs N of at least 1, got " + regions);
        }
        if (kind == Kind.LOCAL) {
            regions = 1;
        } else if (kind != Kind.REGIONS) {
            regions = 0;
        }
    }

    /** The value Jackson gives an absent {@code write_concern}: placements written before it existed are local. */
    public WriteConcern() {
        this(Kind.LOCAL, 1);
    }

    public static WriteConcern regions(int count) {
        return count == 1 ? LOCAL : new WriteConcern(Kind.REGIONS, count);
    }

    /** Reads {@code local}, {@code majority}, {@code all} or {@code regions=N}; says what is accepted otherwise. */
    @JsonCreator
    public static WriteConcern parse(String text) {
        String value = text == null ? "" : text.trim();
        switch (value) {
            case "local":
                return LOCAL;
            case "majority":
                return MAJORITY;
            case "all":
                return ALL;
            default:
                break;
        }
        if (value.startsWith("regions=")) {
            String count = value.substring("regions=".length());
            if (!count.isEmpty() && count.length() <= 3 && count.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(count) >= 1) {
                return regions(Integer.parseInt(count));
            }
        }
        throw new IllegalArgumentException("write concern '" + text
                + "' is not one of local, majority, all or regions=N with N at least 1");
    }

    @JsonValue
    public String wireName() {
        return switch (kind) {
            case LOCAL -> "local";
            case REGIONS -> "regions=" + regions;
            case MAJORITY -> "majority";
            case ALL -> "all";
        };
    }

    /** How many regions must have applied a write of a tenant with {@code replicaCount} replica regions. */
    public int regionsRequired(int replicaCount) {
        return switch (kind) {
            case LOCAL -> 1;
            case REGIONS -> regions;
            case MAJORITY -> replicaCount / 2 + 1;
            case ALL -> replicaCount;
        };
    }

    /** Whether a tenant with {@code replicaCount} replica regions can ever satisfy this concern. */
    public boolean satisfiableWith(int replicaCount) {
        return regionsRequired(replicaCount) <= replicaCount;
    }

    @Override
    public String toString() {
        return wireName();
    }
}
