package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The bulk placement body: refused whole only when it is not a list of entries; otherwise an answer per entry. */
class BulkPlacementRequestTest {
    private static final Set<String> REGIONS = Set.of("us-east", "eu-west", "ap-south");
    private static final BiConsumer<String, PlacementRequest> ANY = (tenant, request) -> { };

    @Test
    void shouldGiveEachBadEntryItsOwnCodeAndKeepTheGoodOnes() {
        BulkPlacementRequest request = parse("{\"tenants\":["
                + "{\"tenant\":\"good-1\",\"primary\":\"us-east\",\"replicas\":[\"us-east\",\"eu-west\"]},"
                + "{\"tenant\":\"mars\",\"primary\":\"mars\",\"replicas\":[\"mars\"]},"
                + "{\"tenant\":\"Bad Id!\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"tenant\":\"extra\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"colour\":\"red\"},"
                + "{\"tenant\":\"pp\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"preferred_primary\":\"eu-west\"},"
                + "{\"tenant\":\"wc\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"write_concern\":\"all-of-them\"},"
                + "{\"tenant\":\"wc2\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"],\"write_concern\":\"regions=3\"},"
                + "42,"
                + "{\"tenant\":\"good-2\",\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"],\"strategy\":\"lww\"}"
                + "]}");

        List<String> codes = request.entries().stream()
                .map(e -> e.valid() ? "ok" : e.error().code().wireName()).toList();
        assertEquals(List.of("ok", "unknown_region", "invalid_tenant", "invalid_tenant", "invalid_placement",
                "invalid_preferred_primary", "invalid_write_concern", "write_concern_unsatisfiable",
                "invalid_placement", "ok"), codes);
        assertEquals(List.of("good-1", "good-2"), request.valid().stream().map(BulkPlacementRequest.Entry::tenant)
                .toList());
        assertEquals(9, request.entries().get(9).index());
        assertNull(request.entries().get(1).request());
    }

    @Test
    void shouldRefuseEveryEntryOfATenantNamedTwice() {
        BulkPlacementRequest request = parse("{\"tenants\":["
                + "{\"tenant\":\"twice\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"tenant\":\"once\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"tenant\":\"twice\",\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"]}]}");

        assertEquals(ErrorCode.DUPLICATE_TENANT, request.entries().get(0).error().code());
        assertEquals(ErrorCode.DUPLICATE_TENANT, request.entries().get(2).error().code());
        assertTrue(request.entries().get(1).valid());
    }

    @Test
    void shouldApplyTheCallersCheckToValidEntriesOnly() {
        BulkPlacementRequest request = BulkPlacementRequest.parse(bytes("{\"tenants\":["
                + "{\"tenant\":\"a\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]},"
                + "{\"tenant\":\"b\",\"primary\":\"eu-west\",\"replicas\":[\"eu-west\"]}]}"), REGIONS,
                (tenant, placement) -> {
                    if (placement.primary().equals("eu-west")) {
                        throw ApiException.of(ErrorCode.TARGET_PAUSED, "paused (test)", tenant);
                    }
                });

        assertTrue(request.entries().get(0).valid());
        assertEquals(ErrorCode.TARGET_PAUSED, request.entries().get(1).error().code());
    }

    @Test
    void shouldRefuseABodyThatIsNotAListOfEntriesWhole() {
        assertCode(ErrorCode.MALFORMED_JSON, "{\"tenants\":[");
        assertCode(ErrorCode.INVALID_BULK, "[]");
        assertCode(ErrorCode.INVALID_BULK, "{\"tenants\":{}}");
        assertCode(ErrorCode.INVALID_BULK, "{\"tenants\":[]}");
        assertCode(ErrorCode.INVALID_BULK, "{\"tenants\":[{\"tenant\":\"a\"}],\"dry_run\":true}");
        StringBuilder tooMany = new StringBuilder("{\"tenants\":[");
        for (int i = 0; i <= BulkPlacementRequest.MAX_TENANTS; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"tenant\":\"t").append(i)
                    .append("\",\"primary\":\"us-east\",\"replicas\":[\"us-east\"]}");
        }
        assertCode(ErrorCode.TOO_MANY_TENANTS, tooMany.append("]}").toString());
    }

    private static void assertCode(ErrorCode code, String body) {
        ApiException e = assertThrows(ApiException.class, () -> parse(body));
        assertEquals(code, e.code(), e.getMessage());
    }

    private static BulkPlacementRequest parse(String body) {
        return BulkPlacementRequest.parse(bytes(body), REGIONS, ANY);
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
