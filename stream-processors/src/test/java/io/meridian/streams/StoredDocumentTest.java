package io.meridian.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meridian.infra.serde.Json;
import io.meridian.infra.serde.RawJson;
import org.junit.jupiter.api.Test;

/** The stored form is digested and compared between regions and versions: it must stay byte for byte the mapper's. */
class StoredDocumentTest {
    @Test
    void shouldWriteTheStoredFormExactlyAsTheMapperDoes() {
        String[] values = {"{}", "{\"a\":1}", "[1,2.5,-0.0,1e300]", "\"text\"", "17", "true",
                "{\"s\":\"quote \\\" back \\\\ slash / tab \\t \\u0001 caf\u00e9 \ud83d\ude00 \u2028\"}",
                "{\"n\":{\"deep\":[null,{\"x\":123456789012345678901234567890}]}}"};
        String[] texts = {"0:0", "11:9223372036854775807", "with \"quote\" and caf\u00e9", "emoji \ud83d\ude00"};
        long[] numbers = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        int i = 0;
        for (String value : values) {
            for (String text : texts) {
                for (long number : numbers) {
                    StoredDocument document = new StoredDocument(RawJson.parse(value), text, number, number + i++,
                            i % 2 == 0 ? "us-east" : text);
                    assertArrayEquals(Json.write(document), document.toStored(), document::toString);
                    assertEquals(document, StoredDocument.fromStored(document.toStored()));
                }
            }
        }
    }

    @Test
    void shouldRefuseAnUnpairedSurrogateAsTheMapperDoes() {
        StoredDocument document = new StoredDocument(RawJson.parse("{\"a\":\"\\ud800\"}"), "0:1", 1, 1, "us-east");
        IllegalArgumentException expected = assertThrows(IllegalArgumentException.class, () -> Json.write(document));
        assertEquals(expected.getMessage(),
                assertThrows(IllegalArgumentException.class, document::toStored).getMessage());
    }
}
