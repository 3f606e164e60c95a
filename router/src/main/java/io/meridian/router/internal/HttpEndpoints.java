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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The glue between Javalin and the router's handlers. Every endpoint is asynchronous (a waiting request holds no
 * thread), answers with a {@link Reply}, turns any failure into the uniform error body, and is timed as
 * {@link RouterMetrics#HTTP_REQUESTS} under its route template. Unknown routes answer {@code 404 not_found}, known
 * paths with a wrong method {@code 405 method_not_allowed}. Thread-safe once built.
 */
public final class HttpEndpoints {
    /** An endpoint: the request in, the answer (or a failure) out. */
    @FunctionalInterface
    public interface AsyncHandler {
        CompletableFuture<Reply> handle(Context ctx);
    }

    private final Javalin app;
    private final ErrorResponses errors;
    private final RouterMetrics metrics;
    private final Executor executor;

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

    /** Writes {@code reply} to the response. */
    public static void send(Context ctx, Reply reply) {
        ctx.status(reply.status());
        reply.headers().forEach(ctx::header);
        ctx.contentType(reply.contentType());
        ctx.result(reply.body());
    }

    private void unmatched(Context ctx, HttpResponseException e) {
        Reply reply;
        if (e instanceof MethodNotAllowedResponse) {
            reply = errors.reply(ErrorCode.METHOD_NOT_ALLOWED, ctx.method().name() + " is not allowed on "
                    + ctx.path() + ": see the API reference for the methods of this path", Map.of());
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
