package io.meridian.client;

import java.util.Objects;
import java.util.Optional;

/**
 * Options of one write. Immutable; {@link #none()} for none.
 *
 * @param idempotencyKey the write's {@code Idempotency-Key} (1-128 printable ASCII): a write retried with the same key
 *                       is applied at most once. Empty: the client makes a random one per call, and uses it for every
 *                       attempt of that call
 * @param ifMatch        apply only if the document is at this version (a {@link Position}'s text, or
 *                       {@code absent}: only if there is none), else {@link ConflictException} {@code precondition_failed}
 * @param writeConcern   {@code local} | {@code majority} | {@code all} | {@code regions=N}: answer only once that many
 *                       regions applied the write; empty: the tenant's default
 * @param attemptListener told of this call's every request (each retry, redirect, node tried), after the client's
 *                        own listener
 */
public record WriteOptions(Optional<String> idempotencyKey, Optional<String> ifMatch, Optional<String> writeConcern,
                           Optional<AttemptListener> attemptListener) {
    private static final WriteOptions NONE = new WriteOptions(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** The options without a listener (as before listeners existed). */
    public WriteOptions(Optional<String> idempotencyKey, Optional<String> ifMatch, Optional<String> writeConcern) {
        this(idempotencyKey, ifMatch, writeConcern, Optional.empty());
    }

    public static WriteOptions none() {
        return NONE;
    }

    public WriteOptions withIdempotencyKey(String key) {
        return new WriteOptions(Optional.of(key), ifMatch, writeConcern, attemptListener);
    }

    /** @param version a document's {@link Position} text, or {@code absent} (create only) */
    public WriteOptions withIfMatch(String version) {
        return new WriteOptions(idempotencyKey, Optional.of(version), writeConcern, attemptListener);
    }

    public WriteOptions withWriteConcern(String concern) {
        return new WriteOptions(idempotencyKey, ifMatch, Optional.of(concern), attemptListener);
    }

    public WriteOptions withAttemptListener(AttemptListener listener) {
        return new WriteOptions(idempotencyKey, ifMatch, writeConcern,
                Optional.of(Objects.requireNonNull(listener, "listener")));
    }
}
