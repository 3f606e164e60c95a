package io.meridian.election;

import java.util.function.Consumer;

/**
 * How a controller term writes: transactions stamped with its controller epoch, through a producer that fences every
 * earlier controller ({@link ControllerProducer} in production). Thread-safe: one transaction at a time.
 */
public interface ControllerWriter extends AutoCloseable {

    /** The controller epoch of the term this writer belongs to. */
    long epoch();

    /**
     * Runs {@code body} in one transaction and commits it: all of its records become visible together, or none.
     *
     * @throws ControllerFencedException fatal: a newer controller (or a zombie's initialization) fenced this one
     * @throws ControllerWriteException  the transaction did not commit; the writer may be unusable
     */
    void inTransaction(Consumer<ControllerTransaction> body);

    @Override
    void close();
}
