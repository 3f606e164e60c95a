package io.meridian.bench.cost;

/** Dividing a window's amounts by the writes acknowledged in it. */
public final class PerWrite {

    private PerWrite() {
    }

    /** {@code amount / writes}; NaN when nothing was acknowledged (a figure per write then means nothing). */
    public static double of(double amount, long writes) {
        return writes > 0 ? amount / writes : Double.NaN;
    }
}
