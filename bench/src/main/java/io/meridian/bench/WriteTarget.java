package io.meridian.bench;

import java.util.concurrent.CompletableFuture;

/**
 * Something a write load drives: the Meridian router over HTTP, or a bare Kafka producer. One interface so the closed
 * and open loops are literally the same code for both, and the only difference measured is the target. Thread-safe.
 */
interface WriteTarget extends AutoCloseable {

    /** Short name for tables and progress lines, e.g. {@code router}. */
    String name();

    /**
     * Starts write number {@code seq} and returns at once (or nearly: a Kafka producer may block on metadata). The
     * future completes when the target acknowledged it, or exceptionally with a {@link WriteFailure} or the cause.
     */
    CompletableFuture<Void> write(long seq);

    @Override
    void close();

    /** A write that the target answered but did not acknowledge; {@link #kind} groups them in the report. */
    final class WriteFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String kind;

        WriteFailure(String kind, String detail) {
            super(kind + ": " + detail, null, false, false);
            this.kind = kind;
        }

        String kind() {
            return kind;
        }
    }
}
