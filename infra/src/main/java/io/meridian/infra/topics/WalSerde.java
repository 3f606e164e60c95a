package io.meridian.infra.topics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.serde.RawJson;
import java.io.IOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of {@code meridian.wal}. It writes as {@link JsonSerde} does. It reads a put or a delete in the shape
 * Meridian writes it in one streaming pass, and leaves every other record to {@link JsonSerde}: a fence, and any data
 * record that differs from that shape in the least (a field unknown, missing, repeated, null or of another JSON type,
 * a trailing token, a value that fails the record's checks). So the fast path decides nothing by itself: it reads
 * only what the full reader reads, into the same record, and every error and its message still come from the full
 * reader. Why: the full reader (a type property, the record's constructor by reflection, the document copied through
 * a generator) was a quarter of the applier's stream thread ({@code bench --only apply}, JFR).
 */
public final class WalSerde implements Serde<WalRecord> {
    private static final JsonSerde<WalRecord> FULL = new JsonSerde<>(WalRecord.class);
    private static final int TENANT = 1;
    private static final int KEY = 1 << 1;
    private static final int VALUE = 1 << 2;
    private static final int EPOCH = 1 << 3;
    private static final int REGION = 1 << 4;
    private static final int HLC = 1 << 5;
    private static final int WRITE_ID = 1 << 6;
    private static final int BASE = 1 << 7;
    private static final int IF_MATCH = 1 << 8;
    private static final int DELETE_REQUIRED = TENANT | KEY | EPOCH | REGION | HLC | WRITE_ID;
    private static final int PUT_REQUIRED = DELETE_REQUIRED | VALUE;

    @Override
    public Serializer<WalRecord> serializer() {
        return FULL.serializer();
    }

    @Override
    public Deserializer<WalRecord> deserializer() {
        Deserializer<WalRecord> full = FULL.deserializer();
        return (topic, bytes) -> {
            WalRecord fast = bytes == null ? null : readDataRecord(bytes);
            return fast != null ? fast : full.deserialize(topic, bytes);
        };
    }

    /** The put or delete in {@code bytes} when it has the usual shape and passes its checks, else null. */
    static WalRecord.DataRecord readDataRecord(byte[] bytes) {
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME
                    || !"type".equals(parser.currentName()) || parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String type = parser.getText();
            boolean put = "put".equals(type);
            if (!put && !"delete".equals(type)) {
                return null;
            }
            String tenant = null;
            String key = null;
            RawJson value = null;
            long epoch = 0;
            String region = null;
            long hlc = 0;
            String writeId = null;
            String base = WalRecord.NO_VERSION;
            String ifMatch = WalRecord.NO_VERSION;
            int seen = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                int bit = switch (field) {
                    case "tenant" -> TENANT;
                    case "key" -> KEY;
                    case "value" -> put ? VALUE : 0;
                    case "epoch" -> EPOCH;
                    case "region" -> REGION;
                    case "hlc" -> HLC;
                    case "writeId" -> WRITE_ID;
                    case "base" -> BASE;
                    case "ifMatch" -> IF_MATCH;
                    default -> 0;
                };
                boolean number = bit == EPOCH || bit == HLC;
                boolean structure = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
                if (bit == 0 || (seen & bit) != 0 || (bit == VALUE ? !structure
                        : number ? !isLong(parser, token) : token != JsonToken.VALUE_STRING)) {
                    return null;
                }
                seen |= bit;
                switch (bit) {
                    case TENANT -> tenant = parser.getText();
                    case KEY -> key = parser.getText();
                    case VALUE -> value = RawJson.readStructure(parser, bytes);
                    case EPOCH -> epoch = parser.getLongValue();
                    case REGION -> region = parser.getText();
                    case HLC -> hlc = parser.getLongValue();
                    case WRITE_ID -> writeId = parser.getText();
                    case BASE -> base = parser.getText();
                    default -> ifMatch = parser.getText();
                }
            }
            int required = put ? PUT_REQUIRED : DELETE_REQUIRED;
            if (parser.currentToken() != JsonToken.END_OBJECT || (seen & required) != required
                    || parser.nextToken() != null) {
                return null;
            }
            return put ? new WalRecord.Put(tenant, key, value, epoch, region, hlc, writeId, base, ifMatch)
                    : new WalRecord.Delete(tenant, key, epoch, region, hlc, writeId, base, ifMatch);
        } catch (IOException | IllegalArgumentException e) {
            return null;  // the full reader says what is wrong
        }
    }

    private static boolean isLong(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }
}
