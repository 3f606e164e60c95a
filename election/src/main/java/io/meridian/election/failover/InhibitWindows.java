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
 *
 * <p>A failover of many tenants is written in parts, one transaction each, in order. A controller deposed between
 * two parts leaves a failover whose last part is missing: its first parts opened the window, yet the region's other
 * tenants still have their primary there. Such a failover is {@link #unfinished}: the window it opened does not stop
 * the next controller from moving the rest (see {@link FailoverPlanner}).
 */
public final class InhibitWindows {
    private final Duration window;
    private final SortedMap<String, Long> lastFailoverMillis;
    /** Per region, its latest failover seen in the log and whether its last part was seen. */
    private final SortedMap<String, Latest> latest;

    /** A failover is named by its controller epoch and start; its parts share both. */
    private record Latest(long startedAtMillis, long controllerEpoch, boolean finished) {
        int compareKey(FailoverEvent e) {
            int byStart = Long.compare(startedAtMillis, e.startedAtMillis());
            return byStart != 0 ? byStart : Long.compare(controllerEpoch, e.controllerEpoch());
        }
    }

    private InhibitWindows(Duration window, SortedMap<String, Long> lastFailoverMillis,
                           SortedMap<String, Latest> latest) {
        this.window = window;
        this.lastFailoverMillis = lastFailoverMillis;
        this.latest = latest;
    }

    /** No region failed over yet; each failover inhibits its region for {@code window}. */
    public static InhibitWindows empty(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative()) {
            throw new IllegalArgumentException(FailoverPolicy.INHIBIT_WINDOW_CONFIG + " must not be negative, got "
                    + window.toMillis());
        }
        return new InhibitWindows(window, Collections.emptySortedMap(), Collections.emptySortedMap());
    }

    public Duration window() {
        return window;
    }

    /** With {@code region} failed over at {@code atMillis}. An earlier time than the one known is ignored. */
    public InhibitWindows withFailover(String region, long atMillis) {
        Names.requireRegion(region);
        TreeMap<String, Long> next = new TreeMap<>(lastFailoverMillis);
        next.merge(region, atMillis, Math::max);
        return new InhibitWindows(window, Collections.unmodifiableSortedMap(next), latest);
    }

    /**
     * With the failover an event (or one part of it) records, measured from when it finished; a failover that
     * promoted no tenant (all stayed: no healthy replica, or a target that holds none) opens no window, since it
     * changed nothing to undo. A part other than the last leaves the failover {@link #unfinished} until the last part
     * is folded too.
     */
    public InhibitWindows withEvent(FailoverEvent event) {
        if (event.tenants().stream().noneMatch(t -> t.outcome() == TenantFailover.Outcome.PROMOTED)) {
            return this;
        }
        InhibitWindows opened = withFailover(event.region(), event.finishedAtMillis());
        boolean last = event.part() == event.parts();
        Latest known = latest.get(event.region());
        Latest next;
        if (known == null || known.compareKey(event) < 0) {
            next = new Latest(event.startedAtMillis(), event.controllerEpoch(), last);
        } else if (known.compareKey(event) == 0) {
            next = new Latest(known.startedAtMillis(), known.controllerEpoch(), known.finished() || last);
        } else {
            return opened;  // a part of an older failover than the latest known: it cannot leave the latest unfinished
        }
        TreeMap<String, Latest> map = new TreeMap<>(latest);
        map.put(event.region(), next);
        return new InhibitWindows(window, opened.lastFailoverMillis, Collections.unmodifiableSortedMap(map));
    }

    /**
     * Whether the region's latest failover in the log stopped between its parts (its controller was deposed or
     * fenced before writing the last one): some of its tenants moved, the others may still have their primary there.
     */
    public boolean unfinished(String region) {
        Latest l = latest.get(region);
        return l != null && !l.finished();
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
        return "InhibitWindows{window=" + window.toMillis() + "ms, lastFailover=" + lastFailoverMillis + ", unfinished="
                + latest.entrySet().stream().filter(e -> !e.getValue().finished()).map(Map.Entry::getKey).toList()
                + "}";
    }
}
