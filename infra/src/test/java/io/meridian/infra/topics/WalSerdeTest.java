package io.meridian.infra.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meridian.infra.model.WalRecord;
import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.JsonSerde;
import io.meridian.infra.serde.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The WAL's fast reader against the full one: wherever the fast path reads a record it must read the very record the
 * full reader reads, and everything else it must leave to the full reader, which decides and explains as before.
 */
class WalSerdeTest {
    private static final JsonSerde<WalRecord> FULL = new JsonSerde<>(WalRecord.class);
    private static final String HEAD = "{\"type\":\"put\",\"tenant\":\"acme\",\"key\":\"k\",\"value\":";
    private static final String TAIL = ",\"epoch\":3,\"region\":\"us-east\",\"hlc\":42,\"writeId\":\"w-1\"}";

    private static WalRecord full(byte[] bytes) {
        return FULL.deserializer().deserialize("meridian.wal", bytes);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadWhatMeridianWritesAsTheFullReaderDoes() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            RawJson document = RawJson.parse(RandomJson.object(random, 3));
            WalRecord record = i % 3 == 0
                    ? new WalRecord.Delete("acme", "k-" + i, 1 + i, "us-east", i * 7L, "w-" + i,
                    i % 2 == 0 ? "3:" + i : WalRecord.ABSENT, i % 5 == 0 ? "0:1" : WalRecord.NO_VERSION)
                    : new WalRecord.Put("t-" + i, "k-" + i, document, 1 + i, "eu-west", Long.MAX_VALUE - i, "w-" + i,
                    i % 2 == 0 ? WalRecord.ABSENT : WalRecord.NO_VERSION, i % 7 == 0 ? "1:2" : WalRecord.NO_VERSION);
            byte[] bytes = Json.write(record);
            WalRecord.DataRecord fast = WalSerde.readDataRecord(bytes);
            assertNotNull(fast, () -> "the fast path reads what Meridian writes: "
                    + new String(bytes, StandardCharsets.UTF_8));
            assertEquals(full(bytes), fast);
            assertEquals(record, fast);
        }
    }

    @Test
    void shouldCopyADocumentThatIsNotCompactAsTheFullReaderDoes() {
        String[] documents = {
                "{ \"a\" : 1 }", "{\"a\":\"say \\\"hi\\\"\"}", "{\"a\":\"\\u0041\\/\"}", "{\"a\":1.50}",
                "{\"a\":1e3}", "{\"a\":-0}", "{\"a\":-0.0}", "{\"a\":\"caf\u00e9 \u2028 \ud83d\ude00\"}", "[1, 2]",
                "{\"a\":[true,false,null]}",
                "{\"a\":12345678901234567890123}", "{\"a\":-5,\"b\":{\"c\":[]}}", "{\"e\":\"1e5\",\"f\":[-1,-10]}",
                "\n{\"a\":1}\t", "{\"a\":\"tab\\tnew\\nline\"}", "{\"\":{}}"
        };
        for (String document : documents) {
            byte[] bytes = bytes(HEAD + document + TAIL);
            WalRecord.DataRecord fast = WalSerde.readDataRecord(bytes);
            assertNotNull(fast, document);
            assertEquals(full(bytes), fast, document);
        }
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = bytes(HEAD + RandomJson.object(random, 4) + TAIL);
            assertEquals(full(bytes), WalSerde.readDataRecord(bytes));
        }
    }

    @Test
    void shouldReadARecordWithAByteOrderMarkAsTheFullReaderDoes() {
        byte[] bytes = bytes("\uFEFF" + HEAD + "{\"a\":[1,{\"b\":\"c\"}]}" + TAIL);
        assertEquals(full(bytes), Topics.WAL.valueSerde().deserializer().deserialize("meridian.wal", bytes));
    }

    static Stream<String> otherRecords() {
        return Stream.of(
            "{\"type\":\"fence\",\"tenant\":\"acme\"}",
            "{\"tenant\":\"acme\"," + HEAD.substring(1).replace(",\"tenant\":\"acme\"", "") + "{}" + TAIL,
            HEAD + "1" + TAIL,
            HEAD + "\"text\"" + TAIL,
            HEAD + "null" + TAIL,
            HEAD + "{\"a\":1,\"a\":2}" + TAIL,
            HEAD + "{\"n\":[{\"a\":1,\"a\":2}]}" + TAIL,
            HEAD + "[{\"a\":1},{\"b\":{\"c\":{\"d\":1,\"d\":1}}}]" + TAIL,
            HEAD + "{ \"a\": 1, \"a\": 2 }" + TAIL,
            HEAD + "{\"a\":1}" + TAIL.replace("\"epoch\":3", "\"epoch\":3,\"type\":\"put\""),
            HEAD + "{\"a\":1}" + TAIL.replace("\"epoch\":3", "\"epoch\":3,\"value\":{\"a\":1}"),
            HEAD + "{}" + TAIL + " {}",
            HEAD + "{}" + TAIL.replace("\"epoch\":3", "\"epoch\":\"3\""),
            HEAD + "{}" + TAIL.replace("\"epoch\":3", "\"epoch\":3.0"),
            HEAD + "{}" + TAIL.replace("\"epoch\":3", "\"epoch\":0"),
            HEAD + "{}" + TAIL.replace("\"hlc\":42", "\"hlc\":92233720368547758070"),
            HEAD + "{}" + TAIL.replace("\"writeId\":\"w-1\"", "\"writeId\":null"),
            HEAD + "{}" + TAIL.replace("\"writeId\":\"w-1\"", "\"writeId\":\"w-1\",\"writeId\":\"w-2\""),
            HEAD + "{}" + TAIL.replace("\"writeId\":\"w-1\"", "\"writeId\":\"w-1\",\"base\":null"),
            HEAD + "{}" + TAIL.replace("\"writeId\":\"w-1\"", "\"writeId\":\"w-1\",\"base\":\"yesterday\""),
            HEAD + "{}" + TAIL.replace("\"writeId\":\"w-1\"", "\"writeId\":\"w-1\",\"extra\":1"),
            HEAD + "{}" + TAIL.replace(",\"region\":\"us-east\"", ""),
            HEAD.replace("acme", "ACME!") + "{}" + TAIL,
            HEAD.replace("\"put\"", "\"delete\"") + "{}" + TAIL,
            "{\"type\":\"put\"",
            "not json");
    }

    @ParameterizedTest
    @MethodSource("otherRecords")
    void shouldLeaveEveryOtherRecordToTheFullReader(String json) {
        assertNull(WalSerde.readDataRecord(bytes(json)), json);
        // The serde still reads it, or refuses it, exactly as the full reader does.
        WalRecord expected;
        try {
            expected = full(bytes(json));
        } catch (SerializationException e) {
            SerializationException actual = assertThrows(SerializationException.class,
                    () -> Topics.WAL.valueSerde().deserializer().deserialize("meridian.wal", bytes(json)));
            assertEquals(e.getMessage(), actual.getMessage());
            return;
        }
        assertEquals(expected, Topics.WAL.valueSerde().deserializer().deserialize("meridian.wal", bytes(json)));
    }

    @Test
    void shouldLeaveADocumentWithANameRepeatedAtAnyDepthToTheFullReader() {
        Random random = new Random(11);
        for (int i = 0; i < 500; i++) {
            String document = "{\"f\":" + RandomJson.value(random, 1) + ",\"f\":1}";
            for (int depth = random.nextInt(4); depth > 0; depth--) {
                document = switch (random.nextInt(3)) {
                    case 0 -> "{\"a\":" + document + "}";
                    case 1 -> "[" + document + "]";
                    default -> "{\"x\":" + RandomJson.value(random, 1) + ",\"y\":" + document + "}";
                };
            }
            byte[] bytes = bytes(HEAD + document + TAIL);
            assertNull(WalSerde.readDataRecord(bytes), document);
            SerializationException expected = assertThrows(SerializationException.class, () -> full(bytes));
            SerializationException actual = assertThrows(SerializationException.class,
                    () -> Topics.WAL.valueSerde().deserializer().deserialize("meridian.wal", bytes));
            assertEquals(expected.getMessage(), actual.getMessage());
        }
    }

    /** Random JSON text: nested objects and arrays, strings with escapes and non-ASCII, every kind of number. */
    static final class RandomJson {
        private static final String[] STRINGS = {"", "a", "key", "x y", "q\\\"uote", "back\\\\slash", "\\n", "\\u00e9",
                "caf\u00e9", "\ud83d\ude00", "1e5", "-0", "tab\\there", "/slash\\/"};
        private static final String[] NUMBERS = {"0", "7", "-1", "-0", "42", "3.25", "-0.5", "1e9", "2E-3",
                "9223372036854775807", "123456789012345678901234567890", "1.0"};

        static String object(Random random, int depth) {
            StringBuilder out = new StringBuilder("{");
            int fields = random.nextInt(4);
            for (int i = 0; i < fields; i++) {
                out.append(i == 0 ? "" : ",").append("\"f").append(i).append('"').append(':')
                        .append(value(random, depth - 1));
            }
            return out.append('}').toString();
        }

        static String value(Random random, int depth) {
            int kind = random.nextInt(depth > 0 ? 7 : 5);
            return switch (kind) {
                case 0 -> '"' + STRINGS[random.nextInt(STRINGS.length)] + '"';
                case 1 -> NUMBERS[random.nextInt(NUMBERS.length)];
                case 2 -> random.nextBoolean() ? "true" : "false";
                case 3 -> "null";
                case 4 -> random.nextInt(4) == 0 ? " " + NUMBERS[random.nextInt(NUMBERS.length)] + " " : "\"s\"";
                case 5 -> object(random, depth);
                default -> "[" + value(random, depth - 1) + "," + value(random, depth - 1) + "]";
            };
        }
    }
}
