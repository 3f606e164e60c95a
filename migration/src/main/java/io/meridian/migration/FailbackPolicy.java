package io.meridian.migration;

import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Decides which failbacks start now. Pure: given the candidates, the health snapshot, the inhibit windows, how many
 * failbacks run per region and the time, it says for each candidate start or wait (and why), and writes nothing.
 *
 * <p>A candidate that does not run yet starts when all hold, checked in this order:
 * <ol>
 *   <li>automatic failback is on ({@code failback.enabled});</li>
 *   <li>its preferred region is {@code HEALTHY} (and needs no reseed);</li>
 *   <li>the region has been healthy for {@code failback.after.ms}, counted from the latest of: when it became healthy,
 *       when the failover finished, when a failback of the tenant last rolled back (the hysteresis);</li>
 *   <li>no failover of the region is inhibited ({@link InhibitWindows});</li>
 *   <li>fewer than {@code failback.max.per.region} failbacks into the region run, counting those started by this
 *       decision (candidates are taken oldest failover first, then by tenant);</li>
 *   <li>the region has caught up: it lags the tenant's WAL partition by at most the migrations' lag bound (asked
 *       last, as it costs a look at the WAL's end).</li>
 * </ol>
 * Immutable and thread-safe.
 */
public final class FailbackPolicy {
    private static final Comparator<Candidate> OLDEST_FIRST = Comparator.comparingLong(Candidate::failedOverAt)
            .thenComparing(Candidate::tenant);

    private final FailbackSettings settings;

    public FailbackPolicy(FailbackSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * A tenant an automatic failover moved away from its preferred primary, not moved since.
     *
     * @param retryAfter a rolled-back failback of it waits until then (0: none rolled back)
     * @param running    whether a failback migration of it runs
     */
    public record Candidate(String tenant, String fromRegion, String toRegion, long failoverEpoch, long failedOverAt,
                            long retryAfter, boolean running) {
        public Candidate {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(fromRegion, "fromRegion");
            Objects.requireNonNull(toRegion, "toRegion");
        }
    }

    /**
     * For one candidate: start now, or wait.
     *
     * @param eligibleAt when the time conditions (hysteresis, inhibit window) are met, -1 when unknown
     */
    public record Decision(Candidate candidate, boolean start, long eligibleAt, String reason) {
        public String tenant() {
            return candidate.tenant();
        }
    }

    /**
     * @param running region → failbacks into it that run now (started earlier)
     * @param lagOf   entries the preferred region still lags the candidate's WAL partition, -1 when unknown
     */
    public List<Decision> decide(List<Candidate> candidates, HealthSnapshot health, InhibitWindows inhibit,
                                 Map<String, Integer> running, long nowMillis, ToLongFunction<Candidate> lagOf) {
        Map<String, Integer> slots = new HashMap<>(running);
        List<Decision> decisions = new ArrayList<>();
        for (Candidate c : candidates.stream().sorted(OLDEST_FIRST).toList()) {
            if (c.running()) {
                decisions.add(new Decision(c, false, -1, "a failback migration of it runs"));
                continue;
            }
            Decision decision = decideOne(c, health, inhibit, slots, nowMillis, lagOf);
            if (decision.start()) {
                slots.merge(c.toRegion(), 1, Integer::sum);
            }
            decisions.add(decision);
        }
        return decisions;
    }

    private Decision decideOne(Candidate c, HealthSnapshot health, InhibitWindows inhibit, Map<String, Integer> slots,
                               long now, ToLongFunction<Candidate> lagOf) {
        String to = c.toRegion();
        if (!settings.automatic()) {
            return new Decision(c, false, -1, "automatic failback is off (failback.enabled=false): trigger it");
        }
        Optional<RegionStatus> status = health.region(to);
        if (status.isEmpty() || status.get().state() != RegionHealth.HEALTHY || status.get().needsReseed()) {
            String state = status.map(s -> s.needsReseed() ? "needs a reseed" : s.state().wireName())
                    .orElse("unknown to the health monitor");
            return new Decision(c, false, -1, "preferred region '" + to + "' is " + state + ", not healthy");
        }
        long healthySince = Math.max(status.get().sinceMillis(), c.failedOverAt());
        long eligibleAt = Math.max(healthySince + settings.after().toMillis(), c.retryAfter());
        if (inhibit.isInhibited(to, now)) {
            eligibleAt = Math.max(eligibleAt, inhibit.until(to).orElseThrow());
        }
        if (now < eligibleAt) {
            if (inhibit.isInhibited(to, now) && inhibit.until(to).orElseThrow() == eligibleAt) {
                return new Decision(c, false, eligibleAt, "a failover of '" + to + "' is inhibited until "
                        + Instant.ofEpochMilli(eligibleAt));
            }
            if (c.retryAfter() == eligibleAt) {
                return new Decision(c, false, eligibleAt, "the last failback rolled back; retrying at "
                        + Instant.ofEpochMilli(eligibleAt));
            }
            return new Decision(c, false, eligibleAt, "'" + to + "' healthy since " + Instant.ofEpochMilli(healthySince)
                    + "; moving back once healthy for failback.after.ms=" + settings.after().toMillis() + " ms, at "
                    + Instant.ofEpochMilli(eligibleAt));
        }
        int runningInto = slots.getOrDefault(to, 0);
        if (runningInto >= settings.maxPerRegion()) {
            return new Decision(c, false, eligibleAt, runningInto + " failback(s) into '" + to + "' run already"
                    + " (failback.max.per.region=" + settings.maxPerRegion() + ")");
        }
        long lag = lagOf.applyAsLong(c);
        if (lag < 0 || lag > settings.maxLagEntries()) {
            return new Decision(c, false, eligibleAt, "'" + to + "' has not caught up: it lags "
                    + (lag < 0 ? "an unknown number of" : String.valueOf(lag)) + " entries (at most "
                    + settings.maxLagEntries() + ")");
        }
        return new Decision(c, true, eligibleAt, "'" + to + "' healthy since " + Instant.ofEpochMilli(healthySince)
                + ", outside its inhibit window, lagging " + lag + " entries");
    }
}
