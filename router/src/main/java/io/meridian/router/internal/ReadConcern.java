package io.meridian.router.internal;

/**
 * How many replica regions a read asks before it answers with the freshest copy ({@code X-Meridian-Read-Concern}):
 * {@code freshest} asks every caught-up replica region and answers with whichever answered in time (at least one);
 * {@code regions=N} and {@code majority} need that many answers (this region's own copy counts when it holds one), so
 * that a read with {@code majority} after a write with {@code majority} always sees that write. Immutable.
 */
public record ReadConcern(Kind kind, int regions) {

    public enum Kind { FRESHEST, REGIONS, MAJORITY }

    public static final ReadConcern FRESHEST = new ReadConcern(Kind.FRESHEST, 1);
    public static final ReadConcern MAJORITY = new ReadConcern(Kind.MAJORITY, 0);

    public ReadConcern {
        if (kind == Kind.REGIONS && regions < 1) {
            throw new IllegalArgumentException("regions=N needs N of at least 1, got " + regions);
        }
    }

    /** Reads {@code freshest}, {@code majority} or {@code regions=N}; says what is accepted otherwise. */
    public static ReadConcern parse(String text) {
        String value = text == null ? "" : text.trim();
        if (value.equals("freshest")) {
            return FRESHEST;
        }
        if (value.equals("majority")) {
            return MAJORITY;
        }
        if (value.startsWith("regions=")) {
            String count = value.substring("regions=".length());
            if (!count.isEmpty() && count.length() <= 3 && count.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(count) >= 1) {
                return new ReadConcern(Kind.REGIONS, Integer.parseInt(count));
            }
        }
        throw new IllegalArgumentException("read concern '" + text
                + "' is not one of freshest, majority or regions=N with N at least 1");
    }

    /** How many regions must answer, of a tenant with {@code replicaCount} replica regions. */
    public int regionsRequired(int replicaCount) {
        return switch (kind) {
            case FRESHEST -> 1;
            case REGIONS -> regions;
            case MAJORITY -> replicaCount / 2 + 1;
        };
    }

    public String wireName() {
        return switch (kind) {
            case FRESHEST -> "freshest";
            case REGIONS -> "regions=" + regions;
            case MAJORITY -> "majority";
        };
    }

    @Override
    public String toString() {
        return wireName();
    }
}
