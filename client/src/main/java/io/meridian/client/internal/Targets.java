package io.meridian.client.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where requests go: the configured regions (the first is the client's home region, where reads and a tenant's first
 * write go), the base URL of the node that last accepted each tenant's writes (its primary, learnt from redirects, so
 * later writes skip the redirect), and the regions no node answered in recently (skipped as a first target for a
 * while). Thread-safe.
 */
public final class Targets {
    /** How long a region whose node did not answer is skipped as a first target. */
    static final long DOWN_NANOS = 5_000_000_000L;

    private final Map<String, URI> regions;
    private final List<URI> order;
    private final Map<String, URI> writeBases = new ConcurrentHashMap<>();
    private final Map<URI, Long> downSince = new ConcurrentHashMap<>();

    /** @param regions region name to the base URL of a node there ({@code http://host:port}), the home region first */
    public Targets(Map<String, URI> regions) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("configure at least one region's URL");
        }
        this.regions = new LinkedHashMap<>();
        regions.forEach((name, url) -> this.regions.put(name, base(url)));
        this.order = new ArrayList<>(this.regions.values());
    }

    /** {@code scheme://authority} of {@code url}: the node it names. */
    public static URI base(URI url) {
        return URI.create(url.getScheme() + "://" + url.getRawAuthority());
    }

    /** The configured node of {@code region}, if the client knows the region. */
    public Optional<URI> urlOf(String region) {
        return Optional.ofNullable(regions.get(region));
    }

    /** Where a read starts: the home region, unless it did not answer recently. */
    public URI forRead() {
        for (URI base : order) {
            if (!isDown(base)) {
                return base;
            }
        }
        return order.get(0);
    }

    /** Where a write of {@code tenant} starts: the node that accepted its last write, else as a read. */
    public URI forWrite(String tenant) {
        URI known = writeBases.get(tenant);
        return known != null && !isDown(known) ? known : forRead();
    }

    /** {@code base} accepted a write of {@code tenant}: send the next ones there. */
    public void accepted(String tenant, URI base) {
        writeBases.put(tenant, base);
        downSince.remove(base);
    }

    /** No answer from {@code base}: the configured node to try next (the one after it, round the list). */
    public URI unreachable(String tenant, URI base) {
        downSince.put(base, System.nanoTime());
        if (tenant != null) {
            writeBases.remove(tenant, base);
        }
        int index = order.indexOf(base);
        return order.get(index < 0 ? 0 : (index + 1) % order.size());
    }

    private boolean isDown(URI base) {
        Long since = downSince.get(base);
        if (since == null) {
            return false;
        }
        if (System.nanoTime() - since > DOWN_NANOS) {
            downSince.remove(base, since);
            return false;
        }
        return true;
    }
}
