package io.meridian.router.internal;

import io.meridian.router.RouterMetrics;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} on admin requests and says what the token may do: a {@link Role#FULL}
 * token everything, a {@link Role#READ} token only {@code GET} (anything else: {@code 403 read_only_token}).
 *
 * <p>Tokens come from {@code admin.token} (full), {@code admin.read.token} (read-only) and the token file
 * {@code admin.token.file}, which lists any number of tokens, one per line, each {@code <token>} or
 * {@code full <token>} (full) or {@code read <token>} (read-only); blank lines and lines starting with {@code #} are
 * skipped. The file is read again when its modification time or size changes (looked at no more than once a second),
 * so tokens rotate without a restart: add the new token, move the clients to it, remove the old one; both work in
 * between. A file that cannot be read or parsed keeps the tokens read last (and logs why).
 *
 * <p>The comparison takes the same time however much of a token matches (both sides are hashed first, so not even the
 * length leaks). With no token at all every admin request is refused. Thread-safe.
 */
public final class AdminAuth {
    private static final String BEARER = "Bearer ";

    /** What a token may do. */
    public enum Role {
        /** Every admin request. */
        FULL,
        /** {@code GET} admin requests only. */
        READ
    }

    private record Token(byte[] digest, Role role, String value) {
    }

    private final List<Token> configured;
    private final WatchedFile<List<Token>> file;
    /** Where refusals of {@link #protect} are counted, or null. */
    private final RouterMetrics metrics;

    /** @param token the configured admin token; empty disables the admin API */
    public AdminAuth(String token) {
        this(token, "", null, Clock.systemUTC());
    }

    /**
     * @param fullToken {@code admin.token}, or empty
     * @param readToken {@code admin.read.token}, or empty
     * @param tokenFile {@code admin.token.file}, or null; read now (a file that cannot be read fails the start)
     */
    public AdminAuth(String fullToken, String readToken, Path tokenFile, Clock clock) {
        this(fullToken, readToken, tokenFile, clock, null);
    }

    /** As {@link #AdminAuth(String, String, Path, Clock)}, counting refusals in {@code metrics} (or not: null). */
    public AdminAuth(String fullToken, String readToken, Path tokenFile, Clock clock, RouterMetrics metrics) {
        this.metrics = metrics;
        List<Token> tokens = new ArrayList<>();
        if (fullToken != null && !fullToken.isEmpty()) {
            tokens.add(new Token(sha256(fullToken), Role.FULL, fullToken));
        }
        if (readToken != null && !readToken.isEmpty()) {
            tokens.add(new Token(sha256(readToken), Role.READ, readToken));
        }
        this.configured = List.copyOf(tokens);
        Objects.requireNonNull(clock, "clock");
        this.file = tokenFile == null ? null : new WatchedFile<>(tokenFile, "admin.token.file", AdminAuth::parse,
                clock);
    }

    /**
     * @return what the token in {@code authorization} may do
     * @throws ApiException {@code unauthorized} unless {@code authorization} carries a known token
     */
    public Role check(String authorization) {
        List<Token> tokens = tokens();
        if (tokens.isEmpty()) {
            throw unauthorized("the admin API is disabled on this node because no admin token is configured: set"
                    + " MERIDIAN_ADMIN_TOKEN (admin.token) or admin.token.file and send the token as"
                    + " 'Authorization: Bearer <token>'");
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("admin requests need 'Authorization: Bearer <token>' with the token configured as"
                    + " MERIDIAN_ADMIN_TOKEN (admin.token), admin.read.token or in admin.token.file");
        }
        byte[] given = sha256(authorization.substring(BEARER.length()).trim());
        Role role = null;
        for (Token token : tokens) {
            // Every token is compared, so the time does not tell which one matched.
            if (MessageDigest.isEqual(token.digest(), given) && (role == null || token.role() == Role.FULL)) {
                role = token.role();
            }
        }
        if (role == null) {
            throw unauthorized("the bearer token is wrong: send a token configured as MERIDIAN_ADMIN_TOKEN"
                    + " (admin.token), admin.read.token or in admin.token.file");
        }
        return role;
    }

    /**
     * {@code handler}, run only after {@link #check} passed and, for a read-only token, only for {@code GET}: a
     * refused request reaches nothing, not even a forward.
     */
    public HttpEndpoints.AsyncHandler protect(HttpEndpoints.AsyncHandler handler) {
        return ctx -> {
            String authorization = ctx.header(Headers.AUTHORIZATION);
            Role role;
            try {
                role = check(authorization);
            } catch (ApiException e) {
                count(authorization == null || authorization.isBlank() ? RouterMetrics.AuthRejection.MISSING
                        : RouterMetrics.AuthRejection.UNKNOWN);
                throw e;
            }
            String method = ctx.method().name();
            if (role == Role.READ && !method.equals("GET") && !method.equals("HEAD")) {
                count(RouterMetrics.AuthRejection.READ_ONLY);
                throw ApiException.of(ErrorCode.READ_ONLY_TOKEN, "this token is read-only (admin.read.token, or"
                        + " 'read' in admin.token.file): it may GET admin endpoints but not " + method + " "
                        + ctx.path() + "; nothing was changed. Use a full admin token");
            }
            return handler.handle(ctx);
        };
    }

    /**
     * A full token, for this node's own admin requests to other nodes (sync reports, consistency checks):
     * {@code admin.token}, else the first full token of the file; empty when there is none.
     */
    public Optional<String> nodeToken() {
        return tokens().stream().filter(t -> t.role() == Role.FULL).map(Token::value).findFirst();
    }

    private void count(RouterMetrics.AuthRejection reason) {
        if (metrics != null) {
            metrics.authRejected("admin", reason);
        }
    }

    private List<Token> tokens() {
        List<Token> fromFile = file == null ? List.of() : file.get();
        if (fromFile.isEmpty()) {
            return configured;
        }
        List<Token> all = new ArrayList<>(configured);
        all.addAll(fromFile);
        return all;
    }

    private static List<Token> parse(List<String> lines) {
        return WatchedFile.entries(lines, (words, number) -> {
            if (words.length == 1) {
                return new Token(sha256(words[0]), Role.FULL, words[0]);
            }
            if (words.length == 2 && (words[0].equals("full") || words[0].equals("read"))) {
                return new Token(sha256(words[1]), words[0].equals("full") ? Role.FULL : Role.READ, words[1]);
            }
            throw new IllegalArgumentException("not '<token>', 'full <token>' or 'read <token>'");
        });
    }

    private static ApiException unauthorized(String message) {
        return ApiException.of(ErrorCode.UNAUTHORIZED, message);
    }

    private static byte[] sha256(String value) {
        return ApiKeys.sha256(value);
    }
}
