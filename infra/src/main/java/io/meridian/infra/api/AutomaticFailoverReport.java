package io.meridian.infra.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Whether the controller fails regions over on its own: {@code "automaticFailover"} in
 * {@code GET /v1/replication/health} and the answer of {@code /admin/replication/automatic-failover}. Written by the
 * node, read by {@code meridianctl}.
 *
 * @param enabled     {@code failover.enabled} of the answering node's configuration
 * @param paused      the operator paused it cluster-wide (meridian.regions)
 * @param since       ISO-8601 time of the last pause or resume; null when never paused
 * @param sinceMillis the same in epoch milliseconds
 * @param reason      the operator's note ("" when none)
 * @param requestedBy the node that took the request
 * @param changed     for a pause or resume: whether it changed anything; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AutomaticFailoverReport(boolean enabled, boolean paused, String since, Long sinceMillis, String reason,
                                      String requestedBy, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean changed) {

    /** Whether the controller would fail a region over on its own now. */
    public boolean active() {
        return enabled && !paused;
    }
}
