package io.meridian.router.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} on admin requests. The comparison takes the same time however much of
 * the token matches (both sides are hashed first, so not even the length leaks). With no token configured every
 * admin request is refused. Thread-safe.
 */
public final class AdminAuth {
    private static final String BEARER = "Bearer ";

    private final byte[] expectedDigest;

    /** @param token the configured admin token; empty disables the admin API */
    public AdminAuth(String token) {
        this.expectedDigest = token == null || token.isEmpty() ? null : sha256(token);
    }

    /** @throws ApiException {@code unauthorized} unless {@code authorization} carries the configured token */
    public void check(String authorization) {
        if (expectedDigest == null) {
            throw unauthorized("the admin API is disabled on this node because no admin token is configured: set"
                    + " MERIDIAN_ADMIN_TOKEN (admin.token) and send it as 'Authorization: Bearer <token>'");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("admin requests need 'Authorization: Bearer <token>' with the token configured as"
                    + " MERIDIAN_ADMIN_TOKEN (admin.token)");
        }
        byte[] given = sha256(authorization.substring(BEARER.length()).trim());
        if (!MessageDigest.isEqual(expectedDigest, given)) {
            throw unauthorized("the bearer token is wrong: send the token configured as MERIDIAN_ADMIN_TOKEN"
                    + " (admin.token)");
        }
    }

    /** {@code handler}, run only after {@link #check} passed: a refused request reaches nothing, not even a forward. */
    public HttpEndpoints.AsyncHandler protect(HttpEndpoints.AsyncHandler handler) {
        return ctx -> {
            check(ctx.header(Headers.AUTHORIZATION));
            return handler.handle(ctx);
        };
    }

    private static ApiException unauthorized(String message) {
        return ApiException.of(ErrorCode.UNAUTHORIZED, message);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
