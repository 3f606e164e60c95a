package io.meridian.router.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import io.meridian.router.RouterMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The glue between Javalin and the router's handlers. Every endpoint is asynchronous (a waiting request holds no
 * thread), answers with a {@link Reply}, turns any failure into the uniform error body, and is timed as
 * {@link RouterMetrics#HTTP_REQUESTS} under its route template. Unknown routes answer {@code 404 not_found}, known
 * paths with a wrong method {@code 405 method_not_allowed} with {@code Allow} listing the path's methods. Every
 * {@code 503} and {@code 429} leaves with {@code Retry-After} (the default delay when its handler set none). The
 * routes added are listed by {@link #routes()} (the OpenAPI document is checked against them). Thread-safe once
 * built.
 */
public final class HttpEndpoints {
    /** An endpoint: the request in, the answer (or a failure) out. */
    @FunctionalInterface
    public interface AsyncHandler {
        CompletableFuture<Reply> handle(Context ctx);
    }

    /** A registered route: its method and path template ({@code /v1/tenants/{tenant}/docs/{key}}). */
    public record Route(String method, String path) {
        /** Whether {@code requestPath} is an instance of this route's template. */
        boolean matches(String requestPath) {
            return template(path).matcher(requestPath).matches();
        }

        private static Pattern template(String path) {
            StringBuilder regex = new StringBuilder();
            for (String part : path.split("(?=\\{)|(?<=\\})")) {
                regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
            }
            return Pattern.compile(regex.toString());
        }
    }

    private final Javalin app;
    private final ErrorResponses errors;
    private final RouterMetrics metrics;
    private final Executor executor;
    private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());

    /** @param executor where answers are written: never the Kafka threads that complete the futures */
    public HttpEndpoints(Javalin app, ErrorResponses errors, RouterMetrics metrics, Executor executor) {
        this.app = app;
        this.errors = errors;
        this.metrics = metrics;
        this.executor = executor;
        app.exception(HttpResponseException.class, (e, ctx) -> unmatched(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            Reply reply = errors.toReply(e, tenantOf(ctx));
            send(ctx, reply);
            metrics.httpRequest(RouterMetrics.UNMATCHED_ROUTE, ctx.method().name(), reply.status(), Duration.ZERO);
        });
    }

    public void add(HandlerType method, String path, AsyncHandler handler) {
        routes.add(new Route(method.name(), path));
        app.addHttpHandler(method, path, ctx -> {
            long start = System.nanoTime();
            CompletableFuture<Reply> reply;
            try {
                reply = handler.handle(ctx);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Reply> answered = reply.handleAsync((r, error) -> {
                Reply out = error == null ? r : errors.toReply(error, tenantOf(ctx));
                send(ctx, out);
                metrics.httpRequest(path, method.name(), out.status(), Duration.ofNanos(System.nanoTime() - start));
                return out;
            }, executor);
            ctx.future(() -> answered);
        });
    }

    /** The request body, at most {@code maxBytes} ({@code body_too_large} beyond). */
    public static byte[] body(Context ctx, int maxBytes) {
        try {
            return RequestParsing.body(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
    }

    /** Every route added so far, in the order added. */
    public List<Route> routes() {
        synchronized (routes) {
            return List.copyOf(routes);
        }
    }

    /** The methods of the routes whose template {@code path} matches, sorted. */
    Set<String> methodsOf(String path) {
        Set<String> methods = new TreeSet<>();
        for (Route route : routes()) {
            if (route.matches(path)) {
                methods.add(route.method());
            }
        }
        return methods;
    }

    private void send(Context ctx, Reply reply) {
        if ((reply.status() == 503 || reply.status() == 429) && reply.header(ErrorResponses.RETRY_AFTER) == null) {
            // Relayed answers (a controller or owner of an older version) and handlers that set none.
            reply = reply.withHeader(ErrorResponses.RETRY_AFTER, Integer.toString(errors.retryAfterSeconds()));
        }
        write(ctx, reply);
    }

    /** Writes {@code reply} to the response. */
    public static void write(Context ctx, Reply reply) {
        ctx.status(reply.status());
        reply.headers().forEach(ctx::header);
        ctx.contentType(reply.contentType());
        ctx.result(reply.body());
    }

    private void unmatched(Context ctx, HttpResponseException e) {
        Reply reply;
        if (e instanceof MethodNotAllowedResponse) {
            Set<String> allowed = methodsOf(ctx.path());
            reply = errors.reply(ErrorCode.METHOD_NOT_ALLOWED, ctx.method().name() + " is not allowed on "
                    + ctx.path() + ": this path takes " + String.join(", ", allowed), Map.of("allowed", allowed))
                    .withHeader("Allow", String.join(", ", allowed));
        } else if (e instanceof NotFoundResponse) {
            reply = errors.reply(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method().name() + " " + ctx.path()
                    + "; documents live under /v1/tenants/{tenant}/docs/{key}, admin under /admin/tenants,"
                    + " /admin/migrations and /admin/replication", Map.of());
        } else {
            reply = Reply.json(e.getStatus(), ErrorResponses.body("http_" + e.getStatus(), e.getMessage(), Map.of()));
        }
        send(ctx, reply);
        metrics.httpRequest(RouterMetrics.UNMATCHED_ROUTE, ctx.method().name(), reply.status(), Duration.ZERO);
    }

    private static String tenantOf(Context ctx) {
        try {
            return ctx.pathParamMap().get("tenant");
        } catch (RuntimeException e) {
            return null;
        }
    }
}
