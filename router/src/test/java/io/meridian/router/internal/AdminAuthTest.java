package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdminAuthTest {
    private final AdminAuth auth = new AdminAuth("t0ken");

    @Test
    void shouldAcceptTheConfiguredBearerToken() {
        assertDoesNotThrow(() -> auth.check("Bearer t0ken"));
        assertDoesNotThrow(() -> auth.check("bearer t0ken"));
    }

    @Test
    void shouldRefuseMissingMalformedOrWrongTokens() {
        for (String header : new String[] {null, "", "t0ken", "Basic t0ken", "Bearer", "Bearer ", "Bearer t0ke",
                "Bearer t0ken2", "Bearer T0KEN"}) {
            ApiException e = assertThrows(ApiException.class, () -> auth.check(header), String.valueOf(header));
            assertEquals(ErrorCode.UNAUTHORIZED, e.code());
            assertTrue(e.getMessage().contains("MERIDIAN_ADMIN_TOKEN"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseEveryoneWhenNoTokenIsConfigured() {
        AdminAuth disabled = new AdminAuth("");
        ApiException e = assertThrows(ApiException.class, () -> disabled.check("Bearer "));
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        assertTrue(e.getMessage().contains("MERIDIAN_ADMIN_TOKEN"), e.getMessage());
    }
}
