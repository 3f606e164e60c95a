package io.meridian.client.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where requests go: the configured regions and their nodes (the first region is the client's home, where reads and
 * a tenant's first write go), the node that last accepted each tenant's writes (its primary, learnt from redirects,
 * so later writes skip the redirect), and the nodes that did not answer recently (skipped as a first target for a
 * while). Thread-safe.
 */
public final class Targets {
    /** How long a node that did not answer is skipped as a first target. */
    static final long DOWN_NANOS = 5_000_000_000L;

    private final Map<String, List<URI>> regions = new LinkedHashMap<>();
    /** Every node, region by region: a node that does not answer is followed by the next of its region. */
    private final List<URI> order = new ArrayList<>();
    private final Map<String, URI> writeBases = new ConcurrentHashMap<>();
    private final Map<URI, Long> downSince = new ConcurrentHashMap<>();

    /**
     * @param regions region name to the base URLs of its nodes ({@code http://host:port}; or one load balancer's),
     *                the home region first
     */
    public Targets(Map<String, List<URI>> regions) {
        if (regions.isEmpty() || regions.values().stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("configure at least one region, each with a node's URL");
        }
        regions.forEach((name, urls) -> {
            List<URI> bases = urls.stream().map(Targets::base).toList();
            this.regions.put(name, bases);
            order.addAll(bases);
        });
    }

    /** {@code scheme://authority} of {@code url}: the node it names. */
    public static URI base(URI url) {
        return URI.create(url.getScheme() + "://" + url.getRawAuthority());
    }

    /** A node of {@code region} that answered recently (else its first), if the client knows the region. */
    public Optional<URI> urlOf(String region) {
        List<URI> nodes = regions.get(region);
        if (nodes == null) {
            return Optional.empty();
        }
        return Optional.of(nodes.stream().filter(node -> !isDown(node)).findFirst().orElse(nodes.get(0)));
    }

    /** Whether {@code region} is configured. */
    public boolean knows(String region) {
        return regions.containsKey(region);
    }

    /** The configured region of the node {@code base}, null when it is none of the configured nodes. */
    public String regionOf(URI base) {
        for (Map.Entry<String, List<URI>> region : regions.entrySet()) {
            if (region.getValue().contains(base)) {
                return region.getKey();
            }
        }
        return null;
    }

    /**
     * Where a read pinned to {@code region} starts: one of its nodes that answered recently, drawn at random (spreads
     * the reads as a load balancer would), else one of them all.
     */
    public URI pinnedIn(String region) {
        List<URI> nodes = regions.get(region);
        List<URI> up = nodes.stream().filter(node -> !isDown(node)).toList();
        List<URI> from = up.isEmpty() ? nodes : up;
        return from.size() == 1 ? from.get(0) : from.get(ThreadLocalRandom.current().nextInt(from.size()));
    }

    /** No answer from {@code base} to a read pinned to {@code region}: the next node of that region (round it). */
    public URI unreachableIn(String region, URI base) {
        downSince.put(base, System.nanoTime());
        List<URI> nodes = regions.get(region);
        int index = nodes.indexOf(base);
        return nodes.get(index < 0 ? 0 : (index + 1) % nodes.size());
    }

    /** Where a read starts: the home region's first node that answered recently, else the next region's. */
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

    /**
     * No answer from {@code base}: the configured node to try next, the one after it (another node of its region
     * first, then the next region's; round the list).
     */
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
