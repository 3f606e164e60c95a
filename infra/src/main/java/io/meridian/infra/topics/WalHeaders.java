package io.meridian.infra.topics;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/** Kafka record headers of {@code meridian.wal} data records: what a write says about itself beside its JSON. */
public final class WalHeaders {
    /**
     * On a write whose id the router made up because the request had no Idempotency-Key: no retry can carry that id
     * again, so no region remembers it for the duplicate check. Records from other producers lack it, and their ids
     * are remembered.
     */
    public static final String GENERATED_ID = "meridian-generated-id";

    private static final byte[] PRESENT = "1".getBytes(StandardCharsets.US_ASCII);

    private WalHeaders() {
    }

    public static void markGeneratedId(Headers headers) {
        headers.add(GENERATED_ID, PRESENT);
    }

    public static boolean hasGeneratedId(Headers headers) {
        return headers.lastHeader(GENERATED_ID) != null;
    }
}
