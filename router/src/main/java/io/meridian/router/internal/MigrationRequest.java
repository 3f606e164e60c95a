package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.Names;
import io.meridian.infra.serde.Json;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The body of {@code POST /admin/tenants/{tenant}/migrate}, validated: {@code {"toRegion":"eu-west"}} plus optionally
 * {@code "dryRun":true} (validate and return the plan; change nothing); {@code to_region} and {@code dry_run} are
 * their deprecated names, still accepted. Other fields, and values of the wrong type,
 * are refused. The region must be configured; whether it holds the tenant, is healthy and caught up is the
 * controller's decision. Immutable.
 */
public record MigrationRequest(String toRegion, boolean dryRun) {
    static final String TO_REGION = "to_region";
    static final String DRY_RUN = "dry_run";
    static final List<String> FIELDS = List.of(TO_REGION, DRY_RUN);
    /** The API's names of the fields, and the deprecated names this type reads. */
    static final java.util.Map<String, String> ALIASES = java.util.Map.of("toRegion", TO_REGION, "dryRun", DRY_RUN);

    public MigrationRequest {
        Objects.requireNonNull(toRegion, "toRegion");
    }

    /**
     * @param knownRegions the configured regions
     * @throws ApiException {@code malformed_json}, {@code invalid_migration} or {@code unknown_region}
     */
    public static MigrationRequest parse(byte[] body, Set<String> knownRegions) {
        JsonNode node = RequestParsing.jsonObject(body, FIELDS, ALIASES, example(),
                MigrationRequest::invalid);
        JsonNode regionNode = node.get(TO_REGION);
        if (regionNode == null || !regionNode.isTextual()) {
            throw invalid("'" + TO_REGION + "' (the region to make the tenant's primary) is required and must be a"
                    + " string, e.g. " + example());
        }
        String toRegion;
        try {
            toRegion = Names.requireRegion(regionNode.asText());
        } catch (IllegalArgumentException e) {
            throw invalid("'" + TO_REGION + "': " + e.getMessage());
        }
        if (!knownRegions.contains(toRegion)) {
            throw ApiException.of(ErrorCode.UNKNOWN_REGION, "'" + TO_REGION + "' names unknown region '" + toRegion
                    + "': migrate to one of the regions of this deployment, " + String.join(", ", knownRegions));
        }
        JsonNode dryRunNode = node.get(DRY_RUN);
        boolean dryRun = false;
        if (dryRunNode != null) {
            if (!dryRunNode.isBoolean()) {
                throw invalid("'" + DRY_RUN + "' must be true or false, got " + dryRunNode);
            }
            dryRun = dryRunNode.booleanValue();
        }
        return new MigrationRequest(toRegion, dryRun);
    }

    /**
     * The body of {@code POST /admin/migrations/{id}/cancel}: none, or an empty JSON object.
     *
     * @throws ApiException {@code malformed_json} or {@code invalid_migration}
     */
    public static void requireEmptyCancel(byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return;
        }
        JsonNode node;
        try {
            node = Json.readTree(body);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ErrorCode.MALFORMED_JSON, "the body is not valid JSON (" + e.getMessage()
                    + "); a cancel takes no body (or {})");
        }
        if (!node.isObject() || !node.isEmpty()) {
            throw invalid("a cancel takes no body (or {}), got " + node);
        }
    }

    private static ApiException invalid(String message) {
        return ApiException.of(ErrorCode.INVALID_MIGRATION, message);
    }

    private static String example() {
        return "{\"" + TO_REGION + "\":\"eu-west\",\"" + DRY_RUN + "\":false}";
    }
}
