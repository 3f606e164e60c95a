package io.meridian.migration;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Asks a region's node directly how far its applier got in one WAL partition, waiting (bounded) until it passed an
 * offset: how the controller sees a migration's target pass the pause fence the moment it does, instead of at the
 * target's next heartbeat and the controller's next tick. The answer is the applier's own applied offset, the one its
 * heartbeats carry (see {@code DrainProgress} for why applied rather than committed is enough).
 *
 * <p>An answer only ever lets a drain end sooner; the heartbeats stay the fallback, so a probe that cannot reach the
 * target (down, another version, a network in the way) costs time, never safety. Implementations are thread-safe and
 * never block the caller: they answer on a thread of their own.
 */
@FunctionalInterface
public interface AppliedProbe {

    /**
     * How far {@code region} applied {@code partition}: answered once its applier has applied {@code minOffset}, or
     * after about {@code maxWait} with what it has then. Completes exceptionally when the region cannot be asked or
     * answers anything else (another region, another partition, an error).
     */
    CompletableFuture<Answer> awaitApplied(String region, int partition, long minOffset, Duration maxWait);

    /**
     * One node's answer.
     *
     * @param offset the highest offset of {@code partition} the node's applier has applied, -1 when none yet
     */
    record Answer(String region, String node, int partition, long offset) {
        public Answer {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(node, "node");
        }
    }

    /** Asks nobody: the drain is judged from heartbeats alone. */
    AppliedProbe NONE = (region, partition, minOffset, maxWait) -> CompletableFuture.failedFuture(
            new UnsupportedOperationException("no applied probe: the drain is judged from heartbeats"));
}
