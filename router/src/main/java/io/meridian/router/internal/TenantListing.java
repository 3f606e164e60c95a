package io.meridian.router.internal;

import io.meridian.infra.model.Names;
import io.meridian.infra.model.Placement;
import io.meridian.streams.PlacementPage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code GET /admin/tenants?limit=N&cursor=T&region=R&primary=R}: a page of this node's placement view in tenant order.
 * {@code limit} (1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}) bounds the page, {@code cursor} is the
 * {@code next} of the previous page, {@code region} keeps tenants with a copy in R, {@code primary} tenants whose primary
 * is R. A page looks at no more than {@value #SCAN_BUDGET} placements, so a filter that matches few tenants may answer
 * fewer than {@code limit} with a {@code next}: follow {@code next} until the answer has none. Immutable; pure but for
 * the view it reads.
 *
 * @param limit   the most placements in the page
 * @param cursor  the tenant after which the page starts, or null
 * @param region  only tenants replicated to this region, or null
 * @param primary only tenants whose primary is this region, or null
 */
public record TenantListing(int limit, String cursor, String region, String primary) {
    public static final int DEFAULT_LIMIT = 1_000;
    public static final int MAX_LIMIT = 1_000;
    public static final int SCAN_BUDGET = 20_000;

    /**
     * @param query the request's query parameters (first value of each)
     * @throws ApiException {@code invalid_page} (limit, cursor, a parameter not known) or {@code unknown_region}
     */
    public static TenantListing parse(Map<String, String> query, Set<String> knownRegions) {
        for (String name : query.keySet()) {
            if (!Set.of("limit", "cursor", "region", "primary").contains(name)) {
                throw invalid("unknown query parameter '" + name + "': the parameters are limit, cursor, region and"
                        + " primary");
            }
        }
        int limit = Paging.limit(query.get("limit"));
        String cursor = query.get("cursor");
        if (cursor != null) {
            try {
                Names.requireTenant(cursor);
            } catch (IllegalArgumentException e) {
                throw invalid("'cursor' must be the 'next' of a previous page (a tenant id), got '" + cursor + "'");
            }
        }
        return new TenantListing(limit, cursor, region(query, "region", knownRegions),
                region(query, "primary", knownRegions));
    }

    private static String region(Map<String, String> query, String name, Set<String> knownRegions) {
        String region = query.get(name);
        if (region != null && !knownRegions.contains(region)) {
            throw ApiException.of(ErrorCode.UNKNOWN_REGION, "'" + name + "' names unknown region '" + region
                    + "': the regions of this deployment are " + String.join(", ", knownRegions));
        }
        return region;
    }

    Predicate<Placement> filter() {
        return p -> (region == null || p.isReplicatedTo(region)) && (primary == null || p.primary().equals(primary));
    }

    /** {@code {"tenants":[placements], "next":"tenant"}}, {@code next} absent on the last page. */
    public Reply read(RegionView view) {
        PlacementPage page = view.placements(cursor, limit, SCAN_BUDGET, filter());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenants", page.placements());
        page.next().ifPresent(next -> body.put("next", next));
        return Reply.json(200, body);
    }

    private static ApiException invalid(String message) {
        return ApiException.of(ErrorCode.INVALID_PAGE, message + "; nothing else is wrong with the request");
    }
}
