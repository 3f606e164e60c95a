package io.meridian.router.internal;

import io.javalin.http.Context;
import io.meridian.election.controller.ControlPlane;
import io.meridian.router.RouterMetrics;
import io.meridian.router.RouterMetrics.ForwardOutcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an admin request that belongs to the controller (a mutation, or a migration read: only the controller holds
 * the migrations) on the controller, wherever it arrived. On the controller it runs here; on any other node it
 * is forwarded to {@link ControlPlane#controllerUrl()} (same method, path, query, body, {@code Authorization} and
 * {@code Content-Type}, plus {@value Headers#FORWARDED_BY}) and the controller's answer (status, {@code Content-Type},
 * {@code Retry-After}, {@code Location}, body) is relayed.
 *
 * <p>Refusals, all {@code 503} with {@code Retry-After}: {@code no_controller} when no controller is known, or when the
 * request was already forwarded once and still landed on a node that is not the controller (requests never hop
 * twice, so nodes that disagree about the controller cannot bounce a request between them); {@code
 * controller_unreachable} when the controller cannot be reached or does not answer within the request timeout.
 *
 * <p>Waits are asynchronous (the JDK client's {@code sendAsync}); connect and request timeouts bound them.
 * Thread-safe.
 */
public final class ControllerForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerForwarder.class);
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String LOCATION = "Location";
    /** The controller's answer headers that the relayed answer keeps (besides status, content type and body). */
    static final List<String> RELAYED_HEADERS = List.of(ErrorResponses.RETRY_AFTER, LOCATION);

    private final ControlPlane controlPlane;
    private final HttpClient client;
    private final String thisNode;
    private final Duration requestTimeout;
    private final RouterMetrics metrics;

    /**
     * @param client         sends forwarded requests; its connect timeout bounds connecting, must not follow redirects
     * @param thisNode       this node as {@value Headers#FORWARDED_BY} names it: {@code <region>/<node id>}
     * @param requestTimeout how long the controller may take to answer a forwarded request
     */
    public ControllerForwarder(ControlPlane controlPlane, HttpClient client, String thisNode, Duration requestTimeout,
                               RouterMetrics metrics) {
        this.controlPlane = controlPlane;
        this.client = client;
        this.thisNode = thisNode;
        this.requestTimeout = requestTimeout;
        this.metrics = metrics;
    }

    /**
     * The answer to the admin request {@code ctx}: {@code local} when this node is the controller, else the
     * controller's relayed answer, passed through {@code afterRelay} (e.g. to wait until this node sees the change).
     *
     * @param body the request body, already read (and validated) by the caller
     */
    public CompletableFuture<Reply> onController(Context ctx, byte[] body, Supplier<CompletableFuture<Reply>> local,
                                                 Function<Reply, CompletableFuture<Reply>> afterRelay) {
        String forwardedBy = ctx.header(Headers.FORWARDED_BY);
        if (controlPlane.isController()) {
            if (forwardedBy != null) {
                LOG.debug("serving admin request forwarded by {}: {} {}", forwardedBy, ctx.method(), ctx.path());
            }
            return local.get();
        }
        if (forwardedBy != null) {
            metrics.forward(ForwardOutcome.LOOP);
            LOG.warn("admin request {} {} forwarded by {} reached node {}, which is not the controller: refused,"
                    + " not forwarded again", ctx.method(), ctx.path(), forwardedBy, thisNode);
            throw ApiException.of(ErrorCode.NO_CONTROLLER, "node " + forwardedBy + " forwarded this request to node "
                    + thisNode + " as the controller, but it is not the controller: the controller just changed or an"
                    + " election is in progress. Nothing was changed; retry after the Retry-After delay");
        }
        Optional<URI> controller = controlPlane.controllerUrl();
        if (controller.isEmpty()) {
            metrics.forward(ForwardOutcome.NO_CONTROLLER);
            throw ControllerErrors.noControllerKnown(thisNode);
        }
        return forward(controller.get(), ctx.method().name(), ctx.path(), ctx.queryString(), body,
                ctx.header(Headers.AUTHORIZATION), ctx.header(CONTENT_TYPE))
                .thenCompose(afterRelay);
    }

    /** Sends the request to {@code controller} and completes with its answer, or fails with an {@link ApiException}. */
    CompletableFuture<Reply> forward(URI controller, String method, String rawPath, String rawQuery, byte[] body,
                                     String authorization, String contentType) {
        URI target = target(controller, rawPath, rawQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .header(Headers.FORWARDED_BY, thisNode);
        if (authorization != null) {
            request.header(Headers.AUTHORIZATION, authorization);
        }
        if (contentType != null) {
            request.header(CONTENT_TYPE, contentType);
        }
        LOG.debug("forwarding admin request {} {} to the controller at {}", method, rawPath, controller);
        long start = System.nanoTime();
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        metrics.forward(ForwardOutcome.UNREACHABLE);
                        throw unreachable(controller, method, rawPath, ErrorResponses.unwrap(error),
                                Duration.ofNanos(System.nanoTime() - start));
                    }
                    metrics.forward(ForwardOutcome.RELAYED);
                    return relay(response);
                });
    }

    /** The controller's base URL + the original raw path and query. */
    static URI target(URI controller, String rawPath, String rawQuery) {
        String base = controller.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        StringBuilder url = new StringBuilder(base).append(rawPath);
        if (rawQuery != null && !rawQuery.isEmpty()) {
            url.append('?').append(rawQuery);
        }
        return URI.create(url.toString());
    }

    private static Reply relay(HttpResponse<byte[]> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : RELAYED_HEADERS) {
            response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
        }
        String contentType = response.headers().firstValue(CONTENT_TYPE).orElse(Reply.JSON);
        return new Reply(response.statusCode(), headers, contentType, response.body());
    }

    /** Whether {@code error} of a forwarded request means it never reached the other node (connecting failed). */
    static boolean notSent(Throwable error) {
        return error instanceof ConnectException || error instanceof HttpConnectTimeoutException;
    }

    /** What went wrong with a forwarded request, to follow "the node at X ...". */
    static String failure(Throwable error, Duration requestTimeout) {
        if (error instanceof HttpConnectTimeoutException) {
            return "could not be connected to in time";
        } else if (error instanceof HttpTimeoutException) {
            return "did not answer within " + requestTimeout.toMillis() + " ms";
        } else if (error instanceof ConnectException) {
            return "refused the connection";
        } else if (error instanceof IOException) {
            return "failed the request (" + error + ")";
        }
        return "could not be sent the request (" + error + ")";
    }

    private ApiException unreachable(URI controller, String method, String rawPath, Throwable error,
                                     Duration elapsed) {
        // Connecting failed: the controller never saw the request. Later failures: it may have acted on it.
        boolean notSent = notSent(error);
        String what = failure(error, requestTimeout);
        LOG.warn("forwarding admin request {} {} from {} to the controller at {} failed after {} ms: {}", method,
                rawPath, thisNode, controller, elapsed.toMillis(), error.toString());
        String advice = notSent
                ? "; nothing was changed. The controller may be failing and a new one being elected: retry after the"
                        + " Retry-After delay"
                : "; the change may or may not have been made: check (GET) before retrying";
        Map<String, Object> details = Map.of("controller", controller.toString());
        return ApiException.of(ErrorCode.CONTROLLER_UNREACHABLE, "the controller at " + controller + " " + what
                + advice, null, details, error);
    }
}
