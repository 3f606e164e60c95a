package io.meridian.chaos.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * When each fault of a run happens, drawn from the seed alone ({@code java.util.Random(seed)}), so a seed names the
 * same schedule every time: after a warm-up, slots of (a fault, its hold, a draw that picks its target), each
 * followed by 10-15 s to recover so that each fault's figures stand apart, until the run's duration minus a
 * cool-down (at least one slot). A mixed schedule draws the kind of every slot among {@link Fault#kinds(int)}
 * of the deployment's nodes per region.
 *
 * @param steps in order of {@code atMs} (since the workload started)
 */
public record Schedule(long seed, Fault fault, List<Step> steps) {
    static final long WARM_UP_MS = 8_000;
    static final long COOL_DOWN_MS = 8_000;

    /** One fault: inject at {@code atMs}, heal {@code holdMs} later; {@code draw} picks its target and variant. */
    public record Step(long atMs, Fault fault, long holdMs, int draw) {
    }

    /** The schedule on a deployment of one node per region. */
    public static Schedule of(long seed, Fault fault, long durationMs) {
        return of(seed, fault, durationMs, 1);
    }

    public static Schedule of(long seed, Fault fault, long durationMs, int nodesPerRegion) {
        List<Fault> kinds = Fault.kinds(nodesPerRegion);
        Random random = new Random(seed);
        List<Step> steps = new ArrayList<>();
        long at = WARM_UP_MS;
        while (true) {
            Fault kind = fault == Fault.MIXED ? kinds.get(random.nextInt(kinds.size())) : fault;
            long hold = kind.minHoldMs() + (long) (random.nextDouble() * (kind.maxHoldMs() - kind.minHoldMs()));
            int draw = random.nextInt(Integer.MAX_VALUE);
            if (!steps.isEmpty() && at + hold > durationMs - COOL_DOWN_MS) {
                break;
            }
            steps.add(new Step(at, kind, hold, draw));
            at += hold + 10_000 + random.nextInt(5_000);
        }
        return new Schedule(seed, fault, List.copyOf(steps));
    }
}
