package io.meridian.election.failover;

import io.meridian.infra.model.Names;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per region, when it was last failed over, and so until when it may not be failed over automatically again (nor
 * manually without force). Immutable: {@link #withFailover} returns a new instance, so a snapshot can be shared.
 * A new controller rebuilds it from the {@link FailoverEvent}s on {@code meridian.controller}
 * ({@link #withEvent}).
 */
public final class InhibitWindows {
    private final Duration window;
    private final SortedMap<String, Long> lastFailoverMillis;

    private InhibitWindows(Duration window, SortedMap<String, Long> lastFailoverMillis) {
        this.window = window;
        this.lastFailoverMillis = lastFailoverMillis;
    }

    /** No region failed over yet; each failover inhibits its region for {@code window}. */
    public static InhibitWindows empty(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative()) {
            throw new IllegalArgumentException(FailoverPolicy.INHIBIT_WINDOW_CONFIG + " must not be negative, got "
                    + window.toMillis());
        }
        return new InhibitWindows(window, Collections.emptySortedMap());
    }

    public Duration window() {
        return window;
    }

    /** With {@code region} failed over at {@code atMillis}. An earlier time than the one known is ignored. */
    public InhibitWindows withFailover(String region, long atMillis) {
        Names.requireRegion(region);
        TreeMap<String, Long> next = new TreeMap<>(lastFailoverMillis);
        next.merge(region, atMillis, Math::max);
        return new InhibitWindows(window, Collections.unmodifiableSortedMap(next));
    }

    /**
     * With the failover an event records, measured from when it finished; a failover that promoted no tenant (all
     * stayed: no healthy replica, or a target that holds none) opens no window, since it changed nothing to undo.
     */
    public InhibitWindows withEvent(FailoverEvent event) {
        if (event.tenants().stream().noneMatch(t -> t.outcome() == TenantFailover.Outcome.PROMOTED)) {
            return this;
        }
        return withFailover(event.region(), event.finishedAtMillis());
    }

    public OptionalLong lastFailover(String region) {
        Long at = lastFailoverMillis.get(region);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** The end of the region's inhibit window (exclusive); empty if it was never failed over. */
    public OptionalLong until(String region) {
        Long at = lastFailoverMillis.get(region);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at + window.toMillis());
    }

    public boolean isInhibited(String region, long nowMillis) {
        OptionalLong until = until(region);
        return until.isPresent() && nowMillis < until.getAsLong();
    }

    public Map<String, Long> lastFailovers() {
        return lastFailoverMillis;
    }

    @Override
    public String toString() {
        return "InhibitWindows{window=" + window.toMillis() + "ms, lastFailover=" + lastFailoverMillis + "}";
    }
}
