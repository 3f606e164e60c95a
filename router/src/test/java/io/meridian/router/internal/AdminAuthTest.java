package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void shouldTellAFullTokenFromAReadOnlyOne() {
        AdminAuth both = new AdminAuth("full-1", "read-1", null, java.time.Clock.systemUTC());
        assertEquals(AdminAuth.Role.FULL, both.check("Bearer full-1"));
        assertEquals(AdminAuth.Role.READ, both.check("Bearer read-1"));
        assertEquals("full-1", both.nodeToken().orElseThrow());
        AdminAuth readOnly = new AdminAuth("", "read-1", null, java.time.Clock.systemUTC());
        assertEquals(AdminAuth.Role.READ, readOnly.check("Bearer read-1"));
        assertTrue(readOnly.nodeToken().isEmpty(), "a read-only token is never sent as this node's own");
        assertEquals(ErrorCode.UNAUTHORIZED,
                assertThrows(ApiException.class, () -> readOnly.check("Bearer full-1")).code());
    }

    @Test
    void shouldReadTheTokenFileAgainWhenItChangesSoOldAndNewTokensWorkDuringARotation(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# admin tokens\nold-token\nread viewer-1\n");
        MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
        AdminAuth auth = new AdminAuth("", "", file, clock);
        assertEquals(AdminAuth.Role.FULL, auth.check("Bearer old-token"));
        assertEquals(AdminAuth.Role.READ, auth.check("Bearer viewer-1"));
        assertEquals("old-token", auth.nodeToken().orElseThrow());

        // Rotation, step 1: the new token is added; both work once the file was looked at again.
        Files.writeString(file, "old-token\nfull new-token\nread viewer-1\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-03T12:00:01Z")));
        assertThrows(ApiException.class, () -> auth.check("Bearer new-token"), "looked at once a second at most");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(AdminAuth.Role.FULL, auth.check("Bearer new-token"));
        assertEquals(AdminAuth.Role.FULL, auth.check("Bearer old-token"));

        // Step 2: the old token is removed.
        Files.writeString(file, "new-token\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-03T12:00:02Z")));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(ApiException.class,
                () -> auth.check("Bearer old-token")).code());
        assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(ApiException.class,
                () -> auth.check("Bearer viewer-1")).code());
        assertEquals("new-token", auth.nodeToken().orElseThrow());

        // A broken file keeps the tokens read last.
        Files.writeString(file, "full new-token\nwrite x y z\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-12-03T12:00:03Z")));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(AdminAuth.Role.FULL, auth.check("Bearer new-token"));
    }

    @Test
    void shouldRefuseToStartWithATokenFileThatCannotBeRead(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken");
        Files.writeString(broken, "admin token with spaces\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdminAuth("", "", broken, java.time.Clock.systemUTC()));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new AdminAuth("", "", dir.resolve("missing"), java.time.Clock.systemUTC()));
    }
}
