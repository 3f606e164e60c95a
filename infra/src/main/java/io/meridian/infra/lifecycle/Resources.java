package io.meridian.infra.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service opened, in order, to be closed in reverse: a start that fails midway closes exactly what it had
 * opened, and a close releases the rest even when one resource fails to close (that failure is logged). Thread-safe.
 */
public final class Resources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private final String owner;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** @param owner whose resources these are, for the log */
    public Resources(String owner) {
        this.owner = owner;
    }

    /** Adds {@code resource}, to be closed before everything added earlier; returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    /** Closes every resource added so far, the newest first. Calling it again closes only what was added since. */
    @Override
    public void close() {
        AutoCloseable next;
        while ((next = poll()) != null) {
            try {
                next.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("{}: closing {} failed", owner, next, e);
            }
        }
    }

    private synchronized AutoCloseable poll() {
        return opened.poll();
    }
}
