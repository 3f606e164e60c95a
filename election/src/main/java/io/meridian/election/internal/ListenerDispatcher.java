package io.meridian.election.internal;

import io.meridian.election.LeadershipListener;
import io.meridian.infra.concurrent.NamedThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link LeadershipListener} callbacks on one named daemon thread, in submission order, each listener isolated
 * from the others' exceptions. Callers enqueue while holding their state lock (so the queue order is the order of the
 * state changes); the callbacks themselves run later, outside that lock. Thread-safe.
 */
public final class ListenerDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerDispatcher.class);

    private final String nodeId;
    private final String threadName;
    private final List<LeadershipListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService executor;
    private volatile Thread dispatchThread;

    public ListenerDispatcher(String nodeId) {
        this.nodeId = nodeId;
        this.threadName = "meridian-election-listener-" + nodeId;
        this.executor = Executors.newSingleThreadExecutor(r -> NamedThreads.thread(threadName, () -> {
            dispatchThread = Thread.currentThread();
            r.run();
        }));
    }

    public String threadName() {
        return threadName;
    }

    public void add(LeadershipListener listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        if (!listeners.contains(listener)) {
            listeners.add(listener);
        }
    }

    public void remove(LeadershipListener listener) {
        listeners.remove(listener);
    }

    public void elected(long epoch) {
        dispatch("onElected", l -> l.onElected(epoch));
    }

    public void deposed(long epoch, String reason) {
        dispatch("onDeposed", l -> l.onDeposed(epoch, reason));
    }

    public void quorumChanged(boolean hasQuorum) {
        dispatch("onQuorumChange", l -> l.onQuorumChange(hasQuorum));
    }

    /** Whether the calling thread is the dispatch thread (a listener calling back into its elector). */
    public boolean isDispatchThread() {
        return Thread.currentThread() == dispatchThread;
    }

    /**
     * Lets queued callbacks run for up to {@code drain}, then stops the thread. Idempotent. From the dispatch thread
     * itself it does not wait (that would wait for itself).
     */
    public void close(Duration drain) {
        executor.shutdown();
        if (isDispatchThread()) {
            return;
        }
        try {
            if (!executor.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("election listeners of node={} did not finish within {} ms; interrupting them", nodeId,
                        drain.toMillis());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    private void dispatch(String callback, Consumer<LeadershipListener> call) {
        // Listeners registered later do not see changes that happened before they were added.
        List<LeadershipListener> targets = List.copyOf(listeners);
        if (targets.isEmpty()) {
            return;
        }
        try {
            executor.execute(() -> {
                for (LeadershipListener listener : targets) {
                    try {
                        call.accept(listener);
                    } catch (RuntimeException e) {
                        LOG.error("election listener {} failed in {} node={}; other listeners still run", listener,
                                callback, nodeId, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("dropping {} for node={}: the elector is closed", callback, nodeId);
        }
    }
}
