package io.meridian.infra.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.api.ApiKeyLine;
import io.meridian.infra.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The records of {@code meridian.api-keys}: a digest, never a key, and only valid names and tenants. */
class ApiKeyRecordTest {
    private static final String DIGEST = ApiKeyLine.digest("mk_example");

    @Test
    void shouldRoundTripThroughTheTopicsSerdeHoldingOnlyTheDigest() {
        ApiKeyRecord record = new ApiKeyRecord("acme-app", DIGEST, List.of("acme", "acme-eu"), 1000, "alice",
                "us-east/n1");
        byte[] bytes = Topics.API_KEYS.valueSerde().serializer().serialize("t", record);
        assertEquals("{\"name\":\"acme-app\",\"digest\":\"" + DIGEST + "\",\"tenants\":[\"acme\",\"acme-eu\"],"
                + "\"createdAtMillis\":1000,\"createdBy\":\"alice\",\"node\":\"us-east/n1\"}",
                new String(bytes, StandardCharsets.UTF_8));
        assertEquals(record, Topics.API_KEYS.valueSerde().deserializer().deserialize("t", bytes));
        assertTrue(new ApiKeyRecord("all", DIGEST, List.of("*"), 1, null, null).allTenants());
    }

    @Test
    void shouldRefuseBadNamesDigestsAndTenants() {
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireName("Acme App"));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireDigest("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireDigest("mk_example"));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireTenants(List.of()));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireTenants(List.of("*", "acme")));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireTenants(List.of("acme", "acme")));
        assertThrows(IllegalArgumentException.class, () -> ApiKeyRecord.requireTenants(List.of("Acme!")));
        // A record that is not valid cannot be read: the node's reader skips it instead of granting anything.
        byte[] bad = ("{\"name\":\"x\",\"digest\":\"" + DIGEST + "\",\"tenants\":[],\"createdAtMillis\":1}")
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(SerializationException.class, () -> Topics.API_KEYS.valueSerde().deserializer()
                .deserialize("t", bad));
    }
}
