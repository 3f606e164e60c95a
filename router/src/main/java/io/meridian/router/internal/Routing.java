package io.meridian.router.internal;

import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.WriteState;
import io.meridian.router.RouterMetrics.RedirectReason;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * Where a request for a tenant is served, decided from its placement alone: here, in another region (a 307 to that
 * region's configured URL, never to anything taken from the request's Host header), or held (writes while paused).
 * Pure and thread-safe.
 */
public final class Routing {
    private final String region;
    private final Map<String, URI> regionUrls;

    /** @param regionUrls every region and its base URL, from configuration; must contain {@code region} */
    public Routing(String region, Map<String, URI> regionUrls) {
        if (!regionUrls.containsKey(region)) {
            throw new IllegalArgumentException("region " + region + " has no URL among " + regionUrls.keySet());
        }
        this.region = region;
        this.regionUrls = Map.copyOf(regionUrls);
    }

    public String region() {
        return region;
    }

    /** What to do with one request. */
    public sealed interface Route {
    }

    /** Serve the request in this region. */
    public record Serve() implements Route {
    }

    /** Send the client to {@code region} for {@code reason}. */
    public record Redirect(String region, RedirectReason reason) implements Route {
    }

    /** Writes of the tenant are paused: hold the request until the placement changes. */
    public record Hold() implements Route {
    }

    public Route forWrite(Placement placement) {
        if (placement.acceptsWritesIn(region) && !placement.isCaughtUpIn(region)) {
            // multi-primary: a region still syncing the tenant would decide the write only once caught up
            return new Redirect(placement.primary(), RedirectReason.SYNCING);
        }
        if (!placement.acceptsWritesIn(region)) {
            return new Redirect(placement.primary(), RedirectReason.NOT_PRIMARY);
        }
        if (placement.writes() == WriteState.PAUSED) {
            return new Hold();
        }
        return new Serve();
    }

    /**
     * @param preferredRegion the {@code X-Meridian-Preferred-Region} header, or null
     * @throws ApiException {@code invalid_region} for a region that is not configured, {@code not_a_replica} for a
     *                      preferred region that holds no copy of the tenant
     */
    public Route forRead(Placement placement, String preferredRegion) {
        if (preferredRegion != null) {
            String preferred = requireKnownRegion(preferredRegion);
            if (!placement.isReplicatedTo(preferred)) {
                throw ApiException.of(ErrorCode.NOT_A_REPLICA, "region " + preferred + " holds no copy of tenant "
                        + placement.tenant() + "; its replicas are " + placement.replicas()
                        + ": prefer one of them or drop the X-Meridian-Preferred-Region header", placement.tenant());
            }
            if (!placement.isCaughtUpIn(preferred)) {
                return placement.primary().equals(region) ? new Serve()
                        : new Redirect(placement.primary(), RedirectReason.SYNCING);
            }
            return preferred.equals(region) ? new Serve() : new Redirect(preferred, RedirectReason.PREFERRED_REGION);
        }
        if (!placement.isReplicatedTo(region)) {
            return new Redirect(placement.primary(), RedirectReason.NOT_REPLICA);
        }
        if (!placement.isCaughtUpIn(region)) {
            // Still filling its copy from a snapshot: the primary is always caught up.
            return new Redirect(placement.primary(), RedirectReason.SYNCING);
        }
        return new Serve();
    }

    /** The preferred-region header value, checked against the configured regions. */
    private String requireKnownRegion(String value) {
        String name = value.trim();
        boolean valid;
        try {
            Names.requireRegion(name);
            valid = regionUrls.containsKey(name);
        } catch (IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            throw ApiException.of(ErrorCode.INVALID_REGION, "X-Meridian-Preferred-Region '" + value
                    + "' is not a region of this deployment; use one of " + regionUrls.keySet());
        }
        return name;
    }

    /**
     * The URL of the same request in {@code targetRegion}: its configured base URL + the original raw path + the
     * original raw query.
     */
    public String location(String targetRegion, String rawPath, String rawQuery) {
        URI base = Objects.requireNonNull(regionUrls.get(targetRegion),
                () -> "no URL configured for region " + targetRegion);
        StringBuilder url = new StringBuilder(base.toString()).append(rawPath);
        if (rawQuery != null && !rawQuery.isEmpty()) {
            url.append('?').append(rawQuery);
        }
        return url.toString();
    }

    /** The 307 answer for {@code redirect}. */
    public Reply redirectReply(Redirect redirect, String tenant, String rawPath, String rawQuery) {
        String location = location(redirect.region(), rawPath, rawQuery);
        String message = switch (redirect.reason()) {
            case NOT_PRIMARY -> "region " + region + " does not accept writes for tenant " + tenant
                    + "; its primary is " + redirect.region() + ": follow the Location header (method and body kept)";
            case NOT_REPLICA -> "region " + region + " holds no copy of tenant " + tenant
                    + ": follow the Location header to its primary " + redirect.region();
            case PREFERRED_REGION -> "served by the preferred region " + redirect.region()
                    + ": follow the Location header";
            case PAUSED_REGION -> "region " + region + " has its replication paused for maintenance and the request"
                    + " asked to be redirected then: follow the Location header to the primary " + redirect.region()
                    + ", which has applied every acknowledged write";
            case SYNCING -> "region " + region + " is still syncing tenant " + tenant + " from a snapshot: follow the"
                    + " Location header to its primary " + redirect.region();
        };
        Map<String, Object> details = Map.of("region", redirect.region(), "location", location,
                "reason", redirect.reason().tagValue());
        return Reply.json(307, ErrorResponses.body("redirect", message, details), Map.of("Location", location));
    }
}
