package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.meridian.infra.serde.RawJson;
import java.util.List;

/**
 * A write request on {@code meridian.ingest}, as a service produces it (any language, any partitioner, any key):
 * <pre>
 *   {"requestId":"order-42-v1","tenant":"acme","key":"order-42","op":"put","value":{"total":12},"ifMatch":"3:1042"}
 *   {"requestId":"order-42-v2","tenant":"acme","key":"order-42","op":"delete"}
 * </pre>
 * The request id is the write's Idempotency-Key: a request read twice (the ingest topic is consumed at least once) is
 * applied once. This type is the wire format for Java producers; nodes read requests field by field, so that a
 * malformed one gets a precise reason. Immutable.
 *
 * @param value   the document of a put (any JSON value but null); null for a delete
 * @param ifMatch the version the document must be at ({@code partition:offset}, or {@code absent}), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestRequest(
        @JsonProperty("requestId") String requestId,
        @JsonProperty("tenant") String tenant,
        @JsonProperty("key") String key,
        @JsonProperty("op") String op,
        @JsonProperty("value") RawJson value,
        @JsonProperty("ifMatch") String ifMatch) {

    public static final String PUT = "put";
    public static final String DELETE = "delete";
    /** Every field a request may have; any other makes it malformed (a typo must not silently drop a precondition). */
    public static final List<String> FIELDS = List.of("requestId", "tenant", "key", "op", "value", "ifMatch");

    public static IngestRequest put(String requestId, String tenant, String key, RawJson value) {
        return new IngestRequest(requestId, tenant, key, PUT, value, null);
    }

    public static IngestRequest delete(String requestId, String tenant, String key) {
        return new IngestRequest(requestId, tenant, key, DELETE, null, null);
    }

    public IngestRequest withIfMatch(String version) {
        return new IngestRequest(requestId, tenant, key, op, value, version);
    }
}
