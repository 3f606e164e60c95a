package io.meridian.infra.model;

/** A place in the WAL, {@code partition:offset}: the consistency token a write returns. */
public record Position(int partition, long offset) implements Comparable<Position> {

    public Position {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("a position needs a non-negative partition and offset, got "
                    + partition + ":" + offset);
        }
    }

    /** Parses {@code "3:1042"}; throws {@link IllegalArgumentException} naming the expected form. */
    public static Position parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("invalid position '" + text + "': expected <partition>:<offset>, e.g. 3:1042");
        }
        try {
            return new Position(Integer.parseInt(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid position '" + text + "': expected <partition>:<offset>, e.g. 3:1042", e);
        }
    }

    @Override
    public int compareTo(Position other) {
        int byPartition = Integer.compare(partition, other.partition);
        return byPartition != 0 ? byPartition : Long.compare(offset, other.offset);
    }

    @Override
    public String toString() {
        return partition + ":" + offset;
    }
}
