package io.meridian.client;

import java.util.Objects;

/**
 * A position in Meridian's write-ahead log, {@code partition:offset}: the consistency token a write returns
 * ({@code X-Meridian-Position}) and a read can wait for ({@code X-Meridian-Min-Position}). Every tenant's writes go to
 * one partition, so positions of one partition are ordered. Immutable.
 */
public record Position(int partition, long offset) implements Comparable<Position> {
    public Position {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("a position has a partition and an offset >= 0, not "
                    + partition + ":" + offset);
        }
    }

    /**
     * @param text {@code partition:offset}, as the API writes it
     * @throws IllegalArgumentException when it is not one
     */
    public static Position parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a position (partition:offset)");
        }
        try {
            return new Position(Integer.parseInt(text.substring(0, colon).trim()),
                    Long.parseLong(text.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a position (partition:offset)", e);
        }
    }

    /** Ordered by partition, then offset (only positions of one partition are ordered in time). */
    @Override
    public int compareTo(Position other) {
        int byPartition = Integer.compare(partition, other.partition);
        return byPartition != 0 ? byPartition : Long.compare(offset, other.offset);
    }

    /** {@code partition:offset}, the wire form. */
    @Override
    public String toString() {
        return partition + ":" + offset;
    }
}
