package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one {@code meridian.ingest} request, on {@code meridian.ingest-results} keyed by its request id:
 * {@code accepted} with the write's {@code position}, {@code epoch} and {@code region} (as the HTTP API's 200/201
 * body), or {@code rejected} with the HTTP API's error {@code code}, its {@code httpStatus}, the {@code message} and
 * the error's extra fields ({@code details}). {@code source} is where the request is ({@code meridian.ingest-P@O}),
 * {@code node} the node that took it. A request may get more than one outcome (it was read again after a node crash or
 * a rebalance); an accepted request's outcomes all carry the same position. Immutable.
 *
 * <p>Fields that do not apply are empty (left out of the JSON): {@code position}, {@code epoch} (0) and {@code region}
 * of a rejected request, {@code code} and {@code message} of an accepted one, and what could not be read of a malformed
 * request ({@code requestId}, {@code tenant}, {@code key}, {@code op}).
 *
 * @param httpStatus the status of the HTTP answer to the same write: 200/201 accepted, else the error's
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IngestResult(
        @JsonProperty("requestId") @JsonSetter(nulls = Nulls.AS_EMPTY) String requestId,
        @JsonProperty("tenant") @JsonSetter(nulls = Nulls.AS_EMPTY) String tenant,
        @JsonProperty("key") @JsonSetter(nulls = Nulls.AS_EMPTY) String key,
        @JsonProperty("op") @JsonSetter(nulls = Nulls.AS_EMPTY) String op,
        @JsonProperty(value = "status", required = true) String status,
        @JsonProperty(value = "httpStatus", required = true) int httpStatus,
        @JsonProperty("position") @JsonSetter(nulls = Nulls.AS_EMPTY) String position,
        @JsonProperty("epoch") @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long epoch,
        @JsonProperty("region") @JsonSetter(nulls = Nulls.AS_EMPTY) String region,
        @JsonProperty("code") @JsonSetter(nulls = Nulls.AS_EMPTY) String code,
        @JsonProperty("message") @JsonSetter(nulls = Nulls.AS_EMPTY) String message,
        @JsonProperty("details") @JsonSetter(nulls = Nulls.AS_EMPTY) Map<String, Object> details,
        @JsonProperty(value = "source", required = true) String source,
        @JsonProperty(value = "node", required = true) String node,
        @JsonProperty(value = "timestamp", required = true) long timestamp) {

    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";

    public IngestResult {
        requestId = orEmpty(requestId);
        tenant = orEmpty(tenant);
        key = orEmpty(key);
        op = orEmpty(op);
        position = orEmpty(position);
        region = orEmpty(region);
        code = orEmpty(code);
        message = orEmpty(message);
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    public boolean accepted() {
        return ACCEPTED.equals(status);
    }
}
