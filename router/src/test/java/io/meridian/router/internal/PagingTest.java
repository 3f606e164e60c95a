package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PagingTest {
    private static final List<String> TENANTS = List.of("delta", "alpha", "charlie", "bravo", "echo");

    @Test
    void shouldPageInTenantOrderAfterTheCursorAndNameTheNextPage() {
        Map<String, Object> first = new Paging(2, null).page("items", TENANTS, Function.identity());
        assertEquals(List.of("alpha", "bravo"), first.get("items"));
        assertEquals("bravo", first.get("next"));
        Map<String, Object> second = new Paging(2, "bravo").page("items", TENANTS, Function.identity());
        assertEquals(List.of("charlie", "delta"), second.get("items"));
        Map<String, Object> last = new Paging(2, "delta").page("items", TENANTS, Function.identity());
        assertEquals(List.of("echo"), last.get("items"));
        assertFalse(last.containsKey("next"), "the last page names no next");
        Map<String, Object> exact = new Paging(5, null).page("items", TENANTS, Function.identity());
        assertEquals(5, ((List<?>) exact.get("items")).size());
        assertFalse(exact.containsKey("next"));
    }
}
