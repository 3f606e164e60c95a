package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailoverRequestTest {

    private static FailoverRequest parse(String body) {
        return FailoverRequest.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static ApiException rejected(String body) {
        return assertThrows(ApiException.class, () -> parse(body));
    }

    @Test
    void shouldParseRegionWithOptionalTargetAndForce() {
        assertEquals(new FailoverRequest("us-east", Optional.empty(), false), parse("{\"region\":\"us-east\"}"));
        assertEquals(new FailoverRequest("us-east", Optional.of("eu-west"), true),
                parse("{\"region\":\"us-east\",\"target\":\"eu-west\",\"force\":true}"));
        assertEquals(new FailoverRequest("us-east", Optional.empty(), false),
                parse("{\"force\":false,\"target\":null,\"region\":\"us-east\"}"));
    }

    @Test
    void shouldRejectWhatIsNotAFailoverRequest() {
        assertEquals(ErrorCode.MALFORMED_JSON, rejected("{").code());
        assertEquals(ErrorCode.MALFORMED_JSON, rejected("").code());
        assertEquals(ErrorCode.MALFORMED_JSON, rejected("{\"region\":\"a\",\"region\":\"b\"}").code());
        for (String body : new String[] {"null", "\"us-east\"", "{}", "{\"region\":null}", "{\"region\":7}",
                "{\"region\":\"\"}", "{\"region\":\"Us_East\"}", "{\"region\":\"us-east\",\"target\":[\"eu-west\"]}",
                "{\"region\":\"us-east\",\"target\":\"EU\"}", "{\"region\":\"us-east\",\"force\":1}",
                "{\"region\":\"us-east\",\"force\":null}"}) {
            assertEquals(ErrorCode.INVALID_FAILOVER, rejected(body).code(), body);
        }
        ApiException unknownField = rejected("{\"region\":\"us-east\",\"tenants\":[\"acme\"]}");
        assertEquals(ErrorCode.INVALID_FAILOVER, unknownField.code());
        assertTrue(unknownField.getMessage().contains("tenants") && unknownField.getMessage().contains("force"),
                unknownField.getMessage());
    }
}
