package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
 * @param requestId  the request's id, or null when the request had none that could be read
 * @param tenant     null when the request had none that could be read
 * @param key        null when the request had none that could be read
 * @param op         {@code put}, {@code delete}, or null when unreadable
 * @param httpStatus the status of the HTTP answer to the same write: 200/201 accepted, else the error's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestResult(
        @JsonProperty(value = "requestId") String requestId,
        @JsonProperty(value = "tenant") String tenant,
        @JsonProperty(value = "key") String key,
        @JsonProperty(value = "op") String op,
        @JsonProperty(value = "status", required = true) String status,
        @JsonProperty(value = "httpStatus", required = true) int httpStatus,
        @JsonProperty("position") String position,
        @JsonProperty("epoch") Long epoch,
        @JsonProperty("region") String region,
        @JsonProperty("code") String code,
        @JsonProperty("message") String message,
        @JsonProperty("details") Map<String, Object> details,
        @JsonProperty(value = "source", required = true) String source,
        @JsonProperty(value = "node", required = true) String node,
        @JsonProperty(value = "timestamp", required = true) long timestamp) {

    public static final String ACCEPTED = "accepted";
    public static final String REJECTED = "rejected";

    public IngestResult {
        details = details == null || details.isEmpty() ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public boolean accepted() {
        return ACCEPTED.equals(status);
    }
}
