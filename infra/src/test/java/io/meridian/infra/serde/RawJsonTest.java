package io.meridian.infra.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A value read as compact text is the text the mapper writes for its tree, so digests and equality do not change. */
class RawJsonTest {
    record Holder(@JsonProperty(value = "value", required = true) RawJson value,
                  @JsonProperty(value = "after", required = true) int after) {
    }

    private static Holder read(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), Holder.class);
    }

    @Test
    void shouldReadAValueAsTheCompactTextItsTreeWrites() {
        String[] values = {
                "{ \"a\" : [1, 2.5, -3e2, 1e-4, 12345678901234567890, true, null], \"b\" : {\"c\":\"\\u00e9\\n\\\"\"} }",
                "\"text\"", "0", "-0.0", "[]", "{}", "[ [ [ ] ] ]", "1E400", "\"\\ud83d\\ude00\""};
        for (String value : values) {
            Holder holder = read("{\"value\": " + value + " , \"after\": 7}");
            assertEquals(Json.writeString(Json.readTree(value.getBytes(StandardCharsets.UTF_8))),
                    holder.value().text(), value);
            assertEquals(7, holder.after(), "the parser is left after the value");
            assertEquals(RawJson.parse(value), holder.value());
        }
    }

    @Test
    void shouldWriteTheTextAsTheValueItself() {
        Holder holder = new Holder(RawJson.parse("{\"a\":[1,{\"b\":null}]}"), 1);
        assertEquals("{\"value\":{\"a\":[1,{\"b\":null}]},\"after\":1}", Json.writeString(holder));
        assertEquals(holder, read(Json.writeString(holder)));
    }

    @Test
    void shouldKeepTheParsersChecks() {
        assertThrows(Json.JsonFormatException.class, () -> read("{\"value\": {\"a\":1,\"a\":2}, \"after\": 1}"));
        assertThrows(Json.JsonFormatException.class, () -> read("{\"value\": [1,, 2], \"after\": 1}"));
    }

    @Test
    void shouldTellNullAndObjects() {
        assertTrue(read("{\"value\": null, \"after\": 1}").value().isNull());
        assertTrue(RawJson.parse(" {\"a\":1}").isObject());
        assertFalse(RawJson.parse("[{\"a\":1}]").isObject());
        assertEquals(Json.readTree("{\"a\":1}".getBytes(StandardCharsets.UTF_8)), RawJson.parse("{\"a\":1}").tree());
    }
}
