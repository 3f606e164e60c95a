package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.infra.serde.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The body of {@code PUT /admin/tenants}, validated entry by entry:
 * {@code {"tenants":[{"tenant":"acme","primary":"us-east","replicas":["us-east","eu-west"]}, ...]}}. Each entry is a
 * {@link PlacementRequest} plus its {@code tenant}. A body that is not such an object is refused whole
 * ({@code malformed_json}, {@code invalid_bulk}, {@code too_many_tenants}); a bad entry gets its own error and changes
 * nothing for its tenant, the others go on. A tenant named twice gets {@code duplicate_tenant} for every entry.
 * Immutable.
 *
 * @param entries one per entry of the body, in its order
 */
public record BulkPlacementRequest(List<Entry> entries) {
    /** The most entries one request may carry (a client sends more in several requests). */
    public static final int MAX_TENANTS = 10_000;
    static final String TENANT_FIELD = "tenant";

    public BulkPlacementRequest {
        entries = List.copyOf(entries);
    }

    /**
     * One entry: its tenant (as given, when it is not a valid id) and its request, or the error that refused it.
     *
     * @param index   its position in the body, from 0
     * @param tenant  the tenant as the entry names it ({@code ""} when it names none)
     * @param request the validated request, null when refused
     * @param error   why it was refused, null when valid
     */
    public record Entry(int index, String tenant, PlacementRequest request, ApiException error) {
        public Entry {
            Objects.requireNonNull(tenant, "tenant");
            if ((request == null) == (error == null)) {
                throw new IllegalArgumentException("an entry has a request or an error, not both or neither");
            }
        }

        public boolean valid() {
            return error == null;
        }

        Entry refused(ApiException why) {
            return new Entry(index, tenant, null, why);
        }
    }

    public List<Entry> valid() {
        return entries.stream().filter(Entry::valid).toList();
    }

    /**
     * @param knownRegions the configured regions
     * @param check        a further check of a valid entry (tenant, request) that throws an {@link ApiException}
     *                     to refuse it (e.g. a paused region that would accept writes)
     * @throws ApiException for the whole body: {@code malformed_json}, {@code invalid_bulk}, {@code too_many_tenants}
     */
    public static BulkPlacementRequest parse(byte[] body, Set<String> knownRegions,
                                             BiConsumer<String, PlacementRequest> check) {
        JsonNode root;
        try {
            root = Json.readTree(body);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON (" + e.getMessage() + ")");
        }
        if (!root.isObject() || !root.path("tenants").isArray() || root.size() != 1) {
            throw ApiException.of(ErrorCode.INVALID_BULK, "the body must be {\"tenants\":[...]} and nothing else,"
                    + " each entry a placement with its tenant, e.g. {\"tenants\":[" + example() + "]}");
        }
        JsonNode tenants = root.get("tenants");
        if (tenants.isEmpty()) {
            throw ApiException.of(ErrorCode.INVALID_BULK, "'tenants' is empty: nothing to place, e.g. {\"tenants\":["
                    + example() + "]}");
        }
        if (tenants.size() > MAX_TENANTS) {
            throw ApiException.of(ErrorCode.TOO_MANY_TENANTS, "the request places " + tenants.size()
                    + " tenants; at most " + MAX_TENANTS + " per request: send the rest in further requests", null,
                    Map.of("max", MAX_TENANTS), null);
        }
        List<Entry> entries = new ArrayList<>(tenants.size());
        Map<String, Integer> seen = new HashMap<>();
        int index = 0;
        for (Iterator<JsonNode> it = tenants.elements(); it.hasNext(); index++) {
            Entry entry = entry(index, it.next(), knownRegions, check);
            seen.merge(entry.tenant(), 1, Integer::sum);
            entries.add(entry);
        }
        List<Entry> checked = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            boolean twice = !entry.tenant().isEmpty() && seen.get(entry.tenant()) > 1;
            checked.add(twice ? entry.refused(ApiException.of(ErrorCode.DUPLICATE_TENANT, "tenant " + entry.tenant()
                    + " appears " + seen.get(entry.tenant()) + " times in this request: name each tenant once;"
                    + " none of its entries was applied", entry.tenant())) : entry);
        }
        return new BulkPlacementRequest(checked);
    }

    private static Entry entry(int index, JsonNode node, Set<String> knownRegions,
                               BiConsumer<String, PlacementRequest> check) {
        JsonNode tenantNode = node.path(TENANT_FIELD);
        String tenant = tenantNode.isTextual() ? tenantNode.asText() : "";
        try {
            if (!node.isObject()) {
                throw ApiException.of(ErrorCode.INVALID_PLACEMENT, "entry " + index + " must be a JSON object like "
                        + example());
            }
            if (!tenantNode.isTextual()) {
                throw ApiException.of(ErrorCode.INVALID_TENANT, "entry " + index + " needs a 'tenant' (a string),"
                        + " e.g. " + example());
            }
            RequestParsing.tenant(tenant);
            ObjectNode placement = ((ObjectNode) node).deepCopy();
            placement.remove(TENANT_FIELD);
            PlacementRequest request = PlacementRequest.parse(placement, knownRegions);
            check.accept(tenant, request);
            return new Entry(index, tenant, request, null);
        } catch (ApiException e) {
            return new Entry(index, tenant, null, e);
        }
    }

    private static String example() {
        return "{\"tenant\":\"acme\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]}";
    }
}
