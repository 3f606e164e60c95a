package io.meridian.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * Meridian could not carry out the request within the client's retry budget ({@code operationTimeout}), for reasons
 * that pass by themselves: the last answer was a {@code 503} ({@code writes_paused}, {@code apply_timeout},
 * {@code applier_behind}, {@code kafka_unavailable}, {@code coordination_lost}, {@code partition_moving}...) or a
 * {@code 409 placement_changed}, or no node answered ({@code unreachable}, {@code timeout}).
 *
 * <p>A write may have been applied even so ({@link #mayHaveBeenApplied()}): retry it with the same
 * {@link #idempotencyKey()} (it is then applied at most once), or read with the position it may have got.
 */
public class UnavailableException extends MeridianException {
    private final String idempotencyKey;
    private final boolean mayHaveBeenApplied;

    public UnavailableException(String code, int status, String message, String tenant, String key,
                                Map<String, JsonNode> details, String idempotencyKey, boolean mayHaveBeenApplied,
                                Throwable cause) {
        super(code, status, message, tenant, key, details, cause);
        this.idempotencyKey = idempotencyKey;
        this.mayHaveBeenApplied = mayHaveBeenApplied;
    }

    @Override
    public boolean retriable() {
        return true;
    }

    /** The write's {@code Idempotency-Key}, sent with every attempt: retry with it. Empty for reads. */
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    /**
     * Whether a write may have been applied: some attempt may have reached a node that produced it (no answer, or an
     * answer such as {@code apply_timeout} that says so). False for reads.
     */
    public boolean mayHaveBeenApplied() {
        return mayHaveBeenApplied;
    }
}
