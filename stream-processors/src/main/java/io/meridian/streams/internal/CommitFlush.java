package io.meridian.streams.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Makes an applier commit wait for one acks=all round trip, not one per task that accepted a write id.
 *
 * <p>Kafka Streams commits task by task: it flushes a task's cached stores (sending what they hold to the changelog),
 * then waits for the producer's acknowledgements, then goes on to the next task. Each task whose cache held a write-id
 * bucket therefore cost one round trip, one after the other, and the stream thread decided nothing meanwhile (12 tasks
 * per node: 0.1-0.8 s per commit under load; on a saturated machine a commit outlasted Streams' 10 s transaction
 * timeout, the producer was fenced and writes timed out for 50 s). This hook is a store in every applier task that
 * Streams asks to flush its cache first; it flushes the caches of <em>all</em> the applier tasks of the stream thread
 * at once, so the first task's wait covers every record, and the other tasks find nothing to send and nothing to wait
 * for.
 *
 * <p>Flushing a cache early is what Streams does itself when the cache is full (it evicts dirty entries to the
 * changelog, in the open transaction), so nothing about what a commit contains changes: a cache that fills again
 * before its own task's turn is flushed by Streams as before.
 *
 * <p>One per topology; the tasks of a stream thread register on that thread, which is also the only one that commits
 * them.
 */
public final class CommitFlush {
    /** The hook store's name; it holds nothing and has no changelog. */
    public static final String HOOK_STORE = "commit-flush-hook";

    private final ThreadLocal<List<Runnable>> tasks = ThreadLocal.withInitial(ArrayList::new);

    /**
     * {@code flushCaches} flushes the caches of one task's stores, after putting in them what the task holds in heap
     * until a commit (its open write-id bucket); called on the task's stream thread until the returned handle is
     * closed (the task's processor closes).
     */
    Registration register(Runnable flushCaches) {
        List<Runnable> registered = tasks.get();
        registered.add(flushCaches);
        return () -> registered.remove(flushCaches);
    }

    /** The store through which Streams' commit reaches this hook: add it to the applier's processor. */
    public StoreBuilder<StateStore> hookStore() {
        return new HookBuilder();
    }

    private void flushAll() {
        for (Runnable flush : List.copyOf(tasks.get())) {
            flush.run();
        }
    }

    /** A task's registration. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final class HookStore implements StateStore, CachedStateStore<Object, Object> {
        private boolean open;

        @Override
        public String name() {
            return HOOK_STORE;
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            context.register(root, (key, value) -> { });
            open = true;
        }

        /** Called by Streams before each task of a commit sends its cached records and waits for them. */
        @Override
        public void flushCache() {
            flushAll();
        }

        @Override
        public void clearCache() {
        }

        @Override
        public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
            return false;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean persistent() {
            return false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }

    /** Builds the hook: never cached, never logged (there is nothing in it). */
    private final class HookBuilder implements StoreBuilder<StateStore> {
        @Override
        public StoreBuilder<StateStore> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<StateStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<StateStore> withLoggingEnabled(Map<String, String> config) {
            return this;
        }

        @Override
        public StoreBuilder<StateStore> withLoggingDisabled() {
            return this;
        }

        @Override
        public StateStore build() {
            return new HookStore();
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return HOOK_STORE;
        }
    }
}
