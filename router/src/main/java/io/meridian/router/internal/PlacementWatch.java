package io.meridian.router.internal;

import io.meridian.streams.NotReadyException;
import io.meridian.infra.model.Placement;
import io.meridian.streams.RegionStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Lets a request wait, without holding a thread, until the placement view shows a tenant's placement at or beyond an
 * epoch: a paused write waits for the next placement, an admin change waits until this node sees it. Waiters are
 * completed on {@code executor} (never on the stream thread that reports changes, nor on the timer thread), with
 * the placement, or empty when the wait timed out. Thread-safe.
 */
public final class PlacementWatch {
    private final Function<String, Optional<Placement>> view;
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final ConcurrentHashMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();

    public PlacementWatch(Function<String, Optional<Placement>> view, ScheduledExecutorService timer,
                          Executor executor) {
        this.view = view;
        this.timer = timer;
        this.executor = executor;
    }

    /**
     * Completes with the tenant's placement once its epoch is at least {@code minEpoch} (at once if the view already
     * shows it), or with empty after {@code maxWait}.
     */
    public CompletableFuture<Optional<Placement>> awaitEpoch(String tenant, long minEpoch, Duration maxWait) {
        Waiter waiter = new Waiter(minEpoch);
        waiters.compute(tenant, (t, set) -> {
            Set<Waiter> all = set == null ? new HashSet<>() : set;
            all.add(waiter);
            return all;
        });
        // Registered first, checked second: a change between the caller's look-up and now is not missed.
        Optional<Placement> now;
        try {
            now = view.apply(tenant);
        } catch (NotReadyException e) {
            now = Optional.empty();  // wait for the listener instead
        }
        if (now.isPresent() && now.get().epoch() >= minEpoch) {
            complete(tenant, waiter, now);
        } else if (!maxWait.isNegative() && !maxWait.isZero()) {
            ScheduledFuture<?> timeout = timer.schedule(() -> complete(tenant, waiter, Optional.empty()),
                    maxWait.toNanos(), TimeUnit.NANOSECONDS);
            waiter.future.whenComplete((p, e) -> timeout.cancel(false));
        } else {
            complete(tenant, waiter, Optional.empty());
        }
        return waiter.future;
    }

    /**
     * Completes with true once the view shows every tenant of {@code minEpochs} at or beyond its epoch (at once for
     * none), or with false when {@code maxWait} passed first.
     */
    public CompletableFuture<Boolean> awaitEpochs(Map<String, Long> minEpochs, Duration maxWait) {
        List<CompletableFuture<Optional<Placement>>> all = new ArrayList<>();
        minEpochs.forEach((tenant, epoch) -> all.add(awaitEpoch(tenant, epoch, maxWait)));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(done -> all.stream().allMatch(f -> f.join().isPresent()));
    }

    /** Wired to the placement view's change listener. */
    public void onPlacementChange(Placement placement) {
        List<Waiter> reached = new ArrayList<>();
        waiters.computeIfPresent(placement.tenant(), (t, set) -> {
            set.removeIf(w -> {
                boolean done = placement.epoch() >= w.minEpoch;
                if (done) {
                    reached.add(w);
                }
                return done;
            });
            return set.isEmpty() ? null : set;
        });
        // Completed outside the map's lock, and not on the caller's (stream) thread.
        reached.forEach(w -> executor.execute(() -> w.future.complete(Optional.of(placement))));
    }

    /** Number of requests waiting, for tests. */
    int waiting() {
        int[] count = {0};
        waiters.keySet().forEach(t -> waiters.computeIfPresent(t, (k, set) -> {
            count[0] += set.size();
            return set;
        }));
        return count[0];
    }

    private void complete(String tenant, Waiter waiter, Optional<Placement> result) {
        boolean[] removed = {false};
        // Sets are only touched inside compute*, under the map's lock for the tenant.
        waiters.computeIfPresent(tenant, (t, set) -> {
            removed[0] = set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {  // whoever removes the waiter completes it, exactly once
            executor.execute(() -> waiter.future.complete(result));
        }
    }

    private static final class Waiter {
        final long minEpoch;
        final CompletableFuture<Optional<Placement>> future = new CompletableFuture<>();

        Waiter(long minEpoch) {
            this.minEpoch = minEpoch;
        }
    }
}
