package io.meridian.infra.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * A record an applier could not read or would not apply, with where it came from and why: nothing is dropped without
 * a trace. The raw bytes travel base64-encoded, cut to {@link #MAX_PAYLOAD_BYTES} so a dead letter always fits in
 * Kafka whatever the size of the original; topic, partition and offset find the original.
 *
 * @param payloadBytes the size of the original value (-1 for a null value)
 * @param truncated    whether {@code payloadBase64} holds only the first {@link #MAX_PAYLOAD_BYTES} of it
 */
public record DeadLetter(
        @JsonProperty(value = "topic", required = true) String topic,
        @JsonProperty(value = "partition", required = true) int partition,
        @JsonProperty(value = "offset", required = true) long offset,
        @JsonProperty(value = "region", required = true) String region,
        @JsonProperty(value = "code", required = true) Code code,
        @JsonProperty(value = "reason", required = true) String reason,
        @JsonProperty(value = "payloadBase64", required = true) String payloadBase64,
        @JsonProperty(value = "payloadBytes", required = true) int payloadBytes,
        @JsonProperty(value = "truncated", required = true) boolean truncated,
        @JsonProperty(value = "timestamp", required = true) long timestamp) {

    /** Room for the envelope and the reason under Kafka's default 1 MiB message size, with a wide margin. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    /** Why a record became a dead letter: a stable name, a metric tag and the key of the operator's runbook. */
    public enum Code {
        /** Not a WAL record: bad JSON, a missing field, a key that is not its tenant. */
        UNREADABLE,
        /** On a partition other than its tenant's (a producer with another partitioner than murmur2). */
        WRONG_PARTITION,
        /** Its tenant has no placement. */
        UNKNOWN_TENANT,
        /** Written in a region that may not accept writes for its tenant. */
        NOT_WRITABLE_HERE,
        /** Its epoch is newer than the tenant's fence: not written through a router. */
        EPOCH_AHEAD,
        /** The applier failed on it (a defect): the partition goes on without it. */
        PROCESSING_FAILED,
        /**
         * A fence the applier did not put in force: on another partition than its tenant's, or older (epoch or
         * controller epoch) than the fence in force. Only the controller writes fences, in the tenant's partition.
         */
        FENCE_IGNORED,
        /** A {@code meridian.ingest} request that is not a valid write request (its outcome says why). */
        INVALID_REQUEST;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Code fromWire(String value) {
            return WireNames.parse(Code.class, values(), Code::wireName, value);
        }
    }

    /** A dead letter of {@code value} (may be null), its payload cut to {@link #MAX_PAYLOAD_BYTES}. */
    public static DeadLetter of(String topic, int partition, long offset, String region, Code code, String reason,
                                byte[] value, long timestamp) {
        byte[] payload = value == null ? new byte[0] : value;
        boolean truncated = payload.length > MAX_PAYLOAD_BYTES;
        byte[] kept = truncated ? Arrays.copyOf(payload, MAX_PAYLOAD_BYTES) : payload;
        return new DeadLetter(topic, partition, offset, region, code, reason,
                Base64.getEncoder().encodeToString(kept), value == null ? -1 : value.length, truncated, timestamp);
    }

    /** The dead letter's key: where the original is. */
    public String source() {
        return topic + "-" + partition + "@" + offset;
    }
}
