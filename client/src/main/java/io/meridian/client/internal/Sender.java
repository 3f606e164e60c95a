package io.meridian.client.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.event.ExecutionAttemptedEvent;
import io.meridian.client.ClientMetrics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Call} to its final answer with Failsafe: one {@link RetryPolicy} per call whose delay comes from the
 * last answer ({@link Answer#delay()}: none for a redirect, Retry-After for a 503) or, after no answer, from an
 * exponential backoff; every delay is jittered, and the whole call is bounded by the operation timeout. Blocking
 * ({@link #send}) or not ({@link #sendAsync}). Thread-safe.
 */
public final class Sender {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    /** Every delay is this fraction longer or shorter at random, so clients told to wait do not all come back at once. */
    static final double JITTER = 0.2;
    static final Duration BACKOFF_FIRST = Duration.ofMillis(100);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(2);
    /** The shortest request timeout an attempt gets, even when little of the operation budget is left. */
    static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofMillis(250);

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration operationTimeout;
    private final ClientMetrics metrics;
    private final String authorization;

    public Sender(HttpClient http, Duration requestTimeout, Duration operationTimeout, ClientMetrics metrics) {
        this(http, requestTimeout, operationTimeout, metrics, null);
    }

    /** @param apiKey sent as {@code Authorization: Bearer <apiKey>} with every request; null: none */
    public Sender(HttpClient http, Duration requestTimeout, Duration operationTimeout, ClientMetrics metrics,
                  String apiKey) {
        this.http = Objects.requireNonNull(http, "http");
        this.requestTimeout = requestTimeout;
        this.operationTimeout = operationTimeout;
        this.metrics = metrics;
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
    }

    /**
     * The call's final answer: a success, an error that retrying would not change, or the last retriable one when
     * the operation timeout ran out ({@link Answer#retry()} still true).
     *
     * @throws IOException          no node answered the last attempt, and the budget ran out
     * @throws InterruptedException the calling thread was interrupted (its flag is set again)
     */
    public Answer send(Call call) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + operationTimeout.toNanos();
        try {
            return Failsafe.with(policy(call)).get(() -> attempt(call, deadline));
        } catch (FailsafeException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw interrupted;
            }
            throw e;
        }
    }

    /**
     * {@link #send(Call)} without blocking: attempts go out with {@link HttpClient#sendAsync}, delays wait on
     * Failsafe's scheduler. Completes exceptionally with the {@link IOException} of the last attempt when no node
     * answered it and the budget ran out.
     */
    public CompletableFuture<Answer> sendAsync(Call call) {
        long deadline = System.nanoTime() + operationTimeout.toNanos();
        return Failsafe.with(policy(call)).getStageAsync(() -> attemptAsync(call, deadline));
    }

    private RetryPolicy<Answer> policy(Call call) {
        return RetryPolicy.<Answer>builder()
                .handle(IOException.class)
                .handleResultIf(Answer::retry)
                // The answer says how long to wait; after no answer (null or negative here) the backoff does.
                .withDelayFn(context -> context.getLastResult() != null ? context.getLastResult().delay()
                        : Duration.ofMillis(-1))
                .withBackoff(BACKOFF_FIRST, BACKOFF_MAX)
                .withJitter(JITTER)
                .withMaxRetries(-1)
                .withMaxDuration(operationTimeout)
                .onRetry(event -> retrying(call, event))
                .build();
    }

    private CompletableFuture<Answer> attemptAsync(Call call, long deadline) {
        return http.sendAsync(request(call, deadline), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error == null) {
                        return call.answer(response);
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof IOException io) {
                        noAnswer(call, io);
                    }
                    throw error instanceof CompletionException completion ? completion
                            : new CompletionException(cause);
                });
    }

    private Answer attempt(Call call, long deadline) throws IOException, InterruptedException {
        try {
            return call.answer(http.send(request(call, deadline), HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            noAnswer(call, e);
            throw e;
        }
    }

    private HttpRequest request(Call call, long deadline) {
        Duration left = Duration.ofNanos(deadline - System.nanoTime());
        Duration timeout = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
        if (timeout.compareTo(MIN_ATTEMPT_TIMEOUT) < 0) {
            timeout = MIN_ATTEMPT_TIMEOUT;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(call.target()).timeout(timeout)
                .header("Accept", "application/json")
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        if (call.body() != null) {
            request.header("Content-Type", "application/json");
        }
        call.headers().forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static void noAnswer(Call call, IOException error) {
        LOG.debug("no answer from {} {} tenant={} key={}: {}", call.method(), call.target(), call.tenant(),
                call.key(), error.toString());
        call.noAnswer(error);
    }

    private void retrying(Call call, ExecutionAttemptedEvent<Answer> event) {
        Answer last = event.getLastResult();
        String reason = last == null ? "unreachable" : last.reason();
        metrics.retry(call.op(), reason);
        if (last != null && !reason.equals("redirect")) {
            LOG.debug("retrying {} tenant={} key={} after {} {} from {}: next {}", call.op(), call.tenant(),
                    call.key(), last.status(), last.code(), last.from(), call.target());
        }
    }
}
