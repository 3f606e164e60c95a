package io.meridian.migration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.model.MigrationState;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationBookTest {

    @Test
    void shouldFoldEachMigrationInLogOrderAndSkipWhatCannotBeFolded() {
        MigrationBook book = new MigrationBook();
        int skipped = book.rebuild(List.of(
                changed("orphan", MigrationState.VALIDATED, 1),   // its Requested expired
                requested("m1", "acme", 10),
                requested("m2", "beta", 11),
                changed("m1", MigrationState.VALIDATED, 12),
                changed("m1", MigrationState.SWITCHED, 13),        // illegal: validated -> switched
                new MigrationEvent.CancelRequested("m2", "beta", "bob", 14),
                requested("m1", "acme", 15),                      // twice
                changed("m2", MigrationState.CANCELLED, 16)));

        assertEquals(3, skipped);
        assertEquals(MigrationState.VALIDATED, book.get("m1").orElseThrow().state());
        assertEquals(MigrationState.CANCELLED, book.get("m2").orElseThrow().state());
        assertEquals("bob", book.cancelledBy("m2"));
        assertEquals("", book.cancelledBy("m1"));
        assertTrue(book.get("orphan").isEmpty());
        assertEquals(List.of("m1"), book.active().stream().map(m -> m.id()).toList());
        assertEquals(1, book.activeCount());
        assertTrue(book.activeFor("acme", "").isPresent());
        assertTrue(book.activeFor("acme", "m1").isEmpty());
    }

    @Test
    void shouldReplaceEverythingOnRebuild() {
        MigrationBook book = new MigrationBook();
        book.record(requested("m1", "acme", 1));
        book.rebuild(List.of(requested("m2", "acme", 2)));
        assertTrue(book.get("m1").isEmpty());
        assertEquals(1, book.forTenant("acme").size());
    }

    @Test
    void shouldMeasureRatesOverAWindow() {
        RateSampler rates = new RateSampler(10_000, 12);
        rates.observe("k", 100, 0);
        assertTrue(rates.rate("k").isEmpty());
        rates.observe("k", 150, 1_000);
        assertEquals(50.0, rates.rate("k").getAsDouble(), 1e-9);
        rates.observe("k", 10, 2_000);  // went backwards: starts over
        assertTrue(rates.rate("k").isEmpty());
        rates.observe("k", 30, 20_000);
        rates.observe("k", 40, 21_000);
        assertEquals(10.0, rates.rate("k").getAsDouble(), 1e-9, "old samples leave the window");
    }

    private static MigrationEvent.Requested requested(String id, String tenant, long at) {
        return new MigrationEvent.Requested(id, tenant, "us-east", "eu-west", 30_000, "alice", at);
    }

    private static MigrationEvent.StateChanged changed(String id, MigrationState state, long at) {
        return new MigrationEvent.StateChanged(id, id.equals("m2") ? "beta" : "acme", state, 2, "", 1,
                state.wireName(), at);
    }
}
