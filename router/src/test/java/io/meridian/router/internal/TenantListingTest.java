package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.streams.StoredDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The query of {@code GET /admin/tenants} and the pages it reads. */
class TenantListingTest {
    private static final Set<String> REGIONS = Set.of("us-east", "eu-west", "ap-south");

    @Test
    void shouldDefaultToABoundedFirstPageWithoutFilters() {
        TenantListing listing = TenantListing.parse(Map.of(), REGIONS);
        assertEquals(new TenantListing(TenantListing.DEFAULT_LIMIT, null, null, null), listing);
    }

    @Test
    void shouldRefuseABadLimitCursorOrParameterAndAnUnknownRegion() {
        for (Map<String, String> query : List.of(Map.of("limit", "0"), Map.of("limit", "1001"),
                Map.of("limit", "-5"), Map.of("limit", "many"), Map.of("cursor", "Bad Id"), Map.of("cursor", ""),
                Map.of("offset", "10"))) {
            ApiException e = assertThrows(ApiException.class, () -> TenantListing.parse(query, REGIONS));
            assertEquals(ErrorCode.INVALID_PAGE, e.code(), query.toString());
        }
        assertEquals(ErrorCode.UNKNOWN_REGION, assertThrows(ApiException.class,
                () -> TenantListing.parse(Map.of("region", "mars"), REGIONS)).code());
        assertEquals(ErrorCode.UNKNOWN_REGION, assertThrows(ApiException.class,
                () -> TenantListing.parse(Map.of("primary", "moon"), REGIONS)).code());
    }

    @Test
    void shouldPageInTenantOrderAndStopAtTheScanBudget() {
        List<Placement> all = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {  // out of order: the page sorts
            all.add(new Placement("t" + i, i < 8 ? "us-east" : "eu-west", List.of("us-east", "eu-west"), 1,
                    WriteState.ACTIVE, ConflictStrategy.REJECT, ReplicationMode.SINGLE_PRIMARY));
        }
        RegionView view = new ListView(all);

        var page = Json.readTree(TenantListing.parse(Map.of("limit", "4"), REGIONS).read(view).body());
        assertEquals("t0", page.get("tenants").get(0).get("tenant").asText());
        assertEquals("t3", page.get("next").asText());
        var last = Json.readTree(TenantListing.parse(Map.of("limit", "4", "cursor", "t7"), REGIONS).read(view).body());
        assertEquals(2, last.get("tenants").size());
        assertEquals(false, last.has("next"));
        // A filter matching only the last two, with a scan budget of 3: an empty page that says where to go on.
        var budgeted = view.placements(null, 5, 3, p -> p.primary().equals("eu-west"));
        assertEquals(List.of(), budgeted.placements());
        assertEquals(Optional.of("t2"), budgeted.next());
        var rest = view.placements("t7", 5, 3, p -> p.primary().equals("eu-west"));
        assertEquals(2, rest.placements().size());
        assertEquals(Optional.empty(), rest.next());
    }

    private record ListView(List<Placement> all) implements RegionView {
        @Override
        public Optional<Placement> placement(String tenant) {
            return all.stream().filter(p -> p.tenant().equals(tenant)).findFirst();
        }

        @Override
        public List<Placement> placements() {
            return all;
        }

        @Override
        public Optional<StoredDocument> document(String tenant, String key) {
            return Optional.empty();
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void addPlacementListener(Consumer<Placement> listener) {
        }
    }
}
