package io.meridian.chaos.history;

/**
 * One client operation as the history records it, once it ended. Times are milliseconds since the run started
 * (monotonic). {@code outcome}: {@code ok} (acknowledged / answered), {@code fail} (definitely not done: a 4xx that
 * changes nothing), {@code info} (indeterminate: gave up on retries, the write may still have been applied).
 *
 * @param kind       {@code write}, {@code read}, {@code migrate}, {@code failover}; {@code ingest} (a request to
 *                   {@code meridian.ingest}, with the outcome in force) and {@code ingest-outcome} (each outcome read
 *                   from {@code meridian.ingest-results}: value {@code accepted|rejected}, detail the node and source)
 * @param writeId    the Idempotency-Key of a write (every retry sent the same one); for a read, empty
 * @param value      the value written (writes) or read (reads, empty when missing)
 * @param position   the position answered ({@code X-Meridian-Position}), empty when none
 * @param minPosition the read-your-writes token a read sent, empty when none
 * @param region     the region that answered last
 * @param attempts   HTTP requests it took, retries and redirects included
 * @param detail     free text: a migration id, the failover's answer, an I/O error
 */
public record Op(long id, String kind, String tenant, String key, String writeId, String value, long startMs,
                 long endMs, String outcome, int status, String code, String position, String minPosition,
                 String region, int attempts, String detail) {

    public static final String OK = "ok";
    public static final String FAIL = "fail";
    public static final String INFO = "info";

    public boolean acknowledgedWrite() {
        return "write".equals(kind) && OK.equals(outcome);
    }

    /** A write over HTTP or a request to the ingest topic: what the final reads and the safety checks judge. */
    public boolean isWrite() {
        return "write".equals(kind) || "ingest".equals(kind);
    }

    /** An acknowledged write or an ingest request with an accepted outcome: it must never be lost. */
    public boolean acceptedWrite() {
        return isWrite() && OK.equals(outcome);
    }
}
