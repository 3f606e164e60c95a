package io.meridian.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.model.Names;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of {@code POST /admin/replication/failover}, validated: {@code {"region":"us-east"}} plus optionally
 * {@code "target":"eu-west"} (else the controller chooses per tenant) and {@code "force":true} (ignore the inhibit
 * window). Other fields are refused. Whether the regions exist, are healthy and hold the tenants is the controller's
 * decision, not the parser's. Immutable.
 */
public record FailoverRequest(String region, Optional<String> target, boolean force) {
    static final List<String> FIELDS = List.of("region", "target", "force");

    public FailoverRequest {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(target, "target");
    }

    /** @throws ApiException {@code malformed_json} or {@code invalid_failover} */
    public static FailoverRequest parse(byte[] body) {
        JsonNode node = RequestParsing.jsonObject(body, FIELDS, example(), FailoverRequest::invalid);
        JsonNode regionNode = node.get("region");
        if (regionNode == null || !regionNode.isTextual()) {
            throw invalid("'region' (the region whose tenants to fail over) is required and must be a string, e.g. "
                    + example());
        }
        String region = regionName(regionNode.asText(), "region");
        JsonNode targetNode = node.get("target");
        Optional<String> target = Optional.empty();
        if (targetNode != null && !targetNode.isNull()) {
            if (!targetNode.isTextual()) {
                throw invalid("'target' must be a region name (a string), or be left out to let the controller"
                        + " choose");
            }
            target = Optional.of(regionName(targetNode.asText(), "target"));
        }
        JsonNode forceNode = node.get("force");
        boolean force = false;
        if (forceNode != null) {
            if (!forceNode.isBoolean()) {
                throw invalid("'force' must be true or false, got " + forceNode);
            }
            force = forceNode.booleanValue();
        }
        return new FailoverRequest(region, target, force);
    }

    private static String regionName(String value, String field) {
        try {
            return Names.requireRegion(value);
        } catch (IllegalArgumentException e) {
            throw invalid("'" + field + "': " + e.getMessage());
        }
    }

    private static ApiException invalid(String message) {
        return ApiException.of(ErrorCode.INVALID_FAILOVER, message);
    }

    private static String example() {
        return "{\"region\":\"us-east\",\"target\":\"eu-west\",\"force\":false}";
    }
}
