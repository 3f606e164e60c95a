package io.meridian.router.internal;

import io.javalin.http.Context;
import io.meridian.infra.model.Names;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A page of a list kept by tenant ({@code limit} and {@code cursor}, as {@code GET /admin/tenants} pages): at most
 * {@code limit} items (1..{@value TenantListing#MAX_LIMIT}, default {@value TenantListing#DEFAULT_LIMIT}) in tenant
 * order after the tenant {@code cursor} (the {@code next} of the previous page); the answer names {@code next} when
 * more follow. Immutable.
 *
 * @param limit  the most items in the page
 * @param cursor the tenant after which the page starts, or null
 */
public record Paging(int limit, String cursor) {
    private static final Set<String> PARAMETERS = Set.of("limit", "cursor");

    /** @throws ApiException {@code invalid_page}: a bad limit or cursor, or another query parameter */
    public static Paging parse(Context ctx) {
        return parse(ctx, cursor -> {
            try {
                Names.requireTenant(cursor);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }, "a tenant id");
    }

    /**
     * As {@link #parse(Context)} for a list kept by another name than the tenant's: {@code validCursor} says which
     * cursors can be a {@code next} ({@code what} names them in the message).
     */
    public static Paging parse(Context ctx, java.util.function.Predicate<String> validCursor, String what) {
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw invalid("unknown query parameter '" + name + "': the parameters are limit and cursor");
            }
        }
        int limit = limit(ctx.queryParam("limit"));
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !validCursor.test(cursor)) {
            throw invalid("'cursor' must be the 'next' of a previous page (" + what + "), got '" + cursor + "'");
        }
        return new Paging(limit, cursor);
    }

    /** {@code field} → the page of {@code items} (sorted by {@code tenantOf}), and {@code next} when more follow. */
    public <T> Map<String, Object> page(String field, List<T> items, Function<T, String> tenantOf) {
        List<T> after = items.stream().sorted(Comparator.comparing(tenantOf))
                .filter(item -> cursor == null || tenantOf.apply(item).compareTo(cursor) > 0).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(field, after.size() > limit ? after.subList(0, limit) : after);
        if (after.size() > limit) {
            body.put("next", tenantOf.apply(after.get(limit - 1)));
        }
        return body;
    }

    /**
     * The {@code limit} of a page: {@value TenantListing#DEFAULT_LIMIT} when absent.
     *
     * @throws ApiException {@code invalid_page} unless an integer from 1 to {@value TenantListing#MAX_LIMIT}
     */
    static int limit(String text) {
        if (text == null) {
            return TenantListing.DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > TenantListing.MAX_LIMIT) {
            throw invalid("'limit' must be an integer from 1 to " + TenantListing.MAX_LIMIT + ", got '" + text + "'");
        }
        return limit;
    }

    private static ApiException invalid(String message) {
        return ApiException.of(ErrorCode.INVALID_PAGE, message + "; nothing else is wrong with the request");
    }
}
