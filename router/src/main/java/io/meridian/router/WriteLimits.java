package io.meridian.router;

import com.fasterxml.jackson.databind.node.IntNode;
import io.meridian.infra.serde.RawJson;
import io.meridian.infra.config.RouterConfigs;
import io.meridian.infra.model.WalRecord;
import io.meridian.router.internal.DocumentLimit;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The two limits on a document's size, checked against each other when a node starts: a body of
 * {@code http.max.body.bytes} must make a WAL record that fits the WAL producer's {@code max.request.size}, or the
 * router would accept documents that Kafka can never take. (Each write is checked too: a body's JSON can grow when it
 * is written back, e.g. {@code 1e9} becomes {@code 1.0E9}.) Stateless; thread-safe.
 */
public final class WriteLimits {
    /** The node key that sets the WAL producer's {@code max.request.size} ({@code kafka.*} keys pass through). */
    public static final String KAFKA_MAX_REQUEST_SIZE = "kafka." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG;

    // The longest names Names accepts (tenant, key, region), an Idempotency-Key of 128 '"', each escaped to two, and
    // the widest base and If-Match versions.
    private static final WalRecord.Put WIDEST_EMPTY = new WalRecord.Put("t".repeat(63), "k".repeat(512),
            RawJson.of(IntNode.valueOf(0)), Long.MAX_VALUE, "r".repeat(63), Long.MAX_VALUE, "\"".repeat(128),
            DocumentLimit.WIDEST_VERSION, DocumentLimit.WIDEST_VERSION);

    private WriteLimits() {
    }

    /** The {@code max.request.size} of a producer with {@code producerProperties}: as set, else Kafka's default. */
    public static int maxRequestSize(Map<String, ?> producerProperties) {
        Object value = producerProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (value == null) {
            value = ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        return (Integer) ConfigDef.parseType(KAFKA_MAX_REQUEST_SIZE, value, ConfigDef.Type.INT);
    }

    /**
     * The largest WAL record a document of {@code bodyBytes} makes when written back as it was sent, with tenant,
     * key, region and write id at their longest.
     */
    public static long largestRecordBytes(int bodyBytes) {
        long json = DocumentLimit.jsonBytes(WIDEST_EMPTY) - 1 + bodyBytes;  // the body in place of the value 0
        return DocumentLimit.kafkaBytes(WIDEST_EMPTY.tenant().length(), json);
    }

    /**
     * Stops a node whose body limit does not fit its WAL producer's request limit.
     *
     * @throws ConfigException naming both keys and both values, and what to change
     */
    public static void check(int maxBodyBytes, Map<String, ?> walProducerProperties) {
        int maxRequestSize = maxRequestSize(walProducerProperties);
        long largest = largestRecordBytes(maxBodyBytes);
        if (largest > maxRequestSize) {
            long fitting = Math.max(0, maxRequestSize - (largest - maxBodyBytes));
            while (largestRecordBytes((int) fitting + 1) <= maxRequestSize) {
                fitting++;  // a shorter length can take a byte less of varint
            }
            throw new ConfigException(RouterConfigs.HTTP_MAX_BODY_BYTES + "=" + maxBodyBytes + " lets a document"
                    + " make a WAL record of up to " + largest + " bytes, but " + KAFKA_MAX_REQUEST_SIZE + "="
                    + maxRequestSize + " (the WAL producer's max.request.size) refuses records over " + maxRequestSize
                    + " bytes: set " + RouterConfigs.HTTP_MAX_BODY_BYTES + " to at most " + fitting
                    + ", or " + KAFKA_MAX_REQUEST_SIZE + " to at least " + largest + " (and the max.message.bytes of"
                    + " meridian.wal with it)");
        }
    }
}
