package io.meridian.streams;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A sync's status with what an operator watches: how much is left, the copy rate since it started here, and the
 * estimated time to the end of the copy ({@code eta_seconds}, absent while unknown). Immutable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyncProgress(
        @JsonUnwrapped SyncStatus status,
        @JsonProperty("documents_remaining") long documentsRemaining,
        @JsonProperty("bytes_remaining") long bytesRemaining,
        @JsonProperty("documents_per_second") double documentsPerSecond,
        @JsonProperty("bytes_per_second") double bytesPerSecond,
        @JsonProperty("eta_seconds") Long etaSeconds,
        @JsonProperty("started_at_ms") long startedAtMillis,
        @JsonProperty("updated_at_ms") long updatedAtMillis) {

    static SyncProgress of(SyncStatus status, long startedAtMillis, long updatedAtMillis, long nowMillis) {
        long docsLeft = status.documentsTotal() < 0 ? -1
                : Math.max(0, status.documentsTotal() - status.documentsCopied());
        long bytesLeft = status.bytesTotal() < 0 ? -1 : Math.max(0, status.bytesTotal() - status.bytesCopied());
        if (!status.inProgress()) {
            docsLeft = Math.max(docsLeft, 0);
            bytesLeft = Math.max(bytesLeft, 0);
        }
        long elapsed = Math.max(1, (status.inProgress() ? nowMillis : updatedAtMillis) - startedAtMillis);
        double docsRate = status.documentsCopied() * 1000.0 / elapsed;
        double bytesRate = status.bytesCopied() * 1000.0 / elapsed;
        Long eta = null;
        if (status.inProgress() && docsLeft >= 0 && docsRate > 0) {
            eta = (long) Math.ceil(docsLeft / docsRate);
        } else if (!status.inProgress()) {
            eta = 0L;
        }
        return new SyncProgress(status, docsLeft, bytesLeft, Math.round(docsRate * 10) / 10.0,
                Math.round(bytesRate * 10) / 10.0, eta, startedAtMillis, updatedAtMillis);
    }
}
