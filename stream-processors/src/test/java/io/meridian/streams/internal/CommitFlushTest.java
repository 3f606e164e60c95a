package io.meridian.streams.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

/** The commit hook flushes the caches of every applier task of its stream thread, and of no other thread. */
class CommitFlushTest {

    @Test
    void shouldFlushEveryTaskOfTheThreadWhenAnyTaskStartsItsCommit() throws Exception {
        CommitFlush flush = new CommitFlush();
        List<String> flushed = new ArrayList<>();
        CommitFlush.Registration a = flush.register(() -> flushed.add("task-a"));
        flush.register(() -> flushed.add("task-b"));
        // A task of another stream thread: that thread commits it, never this one.
        CompletableFuture.runAsync(() -> flush.register(() -> flushed.add("other-thread"))).get();

        CachedStateStore<?, ?> hookOfTaskB = (CachedStateStore<?, ?>) flush.hookStore().build();
        hookOfTaskB.flushCache();
        assertEquals(List.of("task-a", "task-b"), flushed);

        a.close();  // task a closed (moved away): its stores are not touched again
        flushed.clear();
        hookOfTaskB.flushCache();
        assertEquals(List.of("task-b"), flushed);
    }
}
