package io.meridian.streams;

import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;

/**
 * What this region's applier decided about one data record. Every region decides the same way, because every region
 * applies the same log with the same rules; so an {@link Verdict#ACCEPTED} record is accepted everywhere.
 *
 * @param position  the record decided on (a write's verdict is matched to its own record by this)
 * @param writtenAt where the write took effect: {@code position}, or for a retry with the same Idempotency-Key the
 *                  position of the first accepted write
 * @param fence     the tenant's placement in force when the record was applied, or null for an unknown tenant
 * @param current   for a write that met another version of its document ({@link Verdict#REJECTED_WRITE_CONFLICT},
 *                  {@link Verdict#REJECTED_PRECONDITION}, or an accepted write that conflicted): the document's
 *                  version when the record was applied, a position or {@code absent}; otherwise empty
 * @param superseded for an accepted write that conflicted and lost (last writer wins, the current document newer):
 *                   true, the write is acknowledged but its value is not the document's
 */
public record ApplyOutcome(String tenant, String writeId, Position position, Position writtenAt, Verdict verdict,
                           Placement fence, String reason, String current, boolean superseded) {

    public ApplyOutcome {
        current = current == null ? "" : current;
    }

    public ApplyOutcome(String tenant, String writeId, Position position, Position writtenAt, Verdict verdict,
                        Placement fence, String reason) {
        this(tenant, writeId, position, writtenAt, verdict, fence, reason, "", false);
    }

    public ApplyOutcome(String tenant, String writeId, Position position, Verdict verdict, Placement fence,
                        String reason) {
        this(tenant, writeId, position, position, verdict, fence, reason);
    }

    public enum Verdict {
        /** Applied (directly, or by the tenant's conflict strategy). */
        ACCEPTED,
        /** Written under an older epoch than the tenant's fence and rejected by the strategy. */
        REJECTED_STALE_EPOCH,
        /** The tenant's writes were paused by the fence in force. */
        REJECTED_PAUSED,
        /** No fence for the tenant: the tenant has no placement. */
        REJECTED_UNKNOWN_TENANT,
        /** Written in a region that may not accept writes for the tenant. */
        REJECTED_NOT_WRITABLE_HERE,
        /** Its Idempotency-Key was accepted before for a different document: nothing applied. */
        REJECTED_ID_REUSED,
        /** The applier could not process the record; it went to the dead-letter topic with the reason. */
        DEAD_LETTERED,
        /**
         * Multi-primary, strategy {@code reject}: another region wrote the document since the version the write was
         * based on; nothing applied ({@link #current} is the document's version).
         */
        REJECTED_WRITE_CONFLICT,
        /** The document was not at the version the client required (If-Match); nothing applied. */
        REJECTED_PRECONDITION
    }

    public boolean accepted() {
        return verdict == Verdict.ACCEPTED;
    }
}
