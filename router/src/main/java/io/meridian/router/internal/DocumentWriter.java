package io.meridian.router.internal;

import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WalRecord;
import io.meridian.infra.model.WriteConcern;
import io.meridian.infra.topics.Topics;
import io.meridian.infra.topics.WalHeaders;
import io.meridian.router.RouterMetrics;
import io.meridian.router.RouterMetrics.WriteOutcome;
import io.meridian.streams.ApplyOutcome;
import io.meridian.streams.ApplyTracker;
import io.meridian.streams.PartitionMovedException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path: coordination quorum → placement → route → (hold while paused) → (refuse while the applier is far
 * behind) → produce to the WAL → wait for Kafka's acknowledgement and this region's applier's verdict → answer. An
 * answer of 201/200 means the record is in Kafka and ACCEPTED by the applier (so by every region). Nothing blocks:
 * waits are futures, continued on {@code executor}, never on the applier's stream thread or the producer's I/O
 * thread.
 *
 * <p>A node that lost contact with its coordination service ({@code coordinated} false) accepts no write
 * ({@code 503 coordination_lost}): it cannot know whether its region is being failed over, and clients should not
 * keep writing to a region that may be on its way out. Reads are not affected. Thread-safe.
 */
public final class DocumentWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentWriter.class);

    /** Timing of writes. */
    public record Settings(Duration applyTimeout, Duration pauseBudget) {
    }

    /** The version of a document as this region last applied it: its position, or {@link WalRecord#ABSENT}. */
    @FunctionalInterface
    public interface Versions {
        String versionOf(String tenant, String key);
    }

    private final Routing routing;
    private final PlacementCache cache;
    private final PlacementWatch watch;
    private final ApplyTracker tracker;
    private final ApplierBackpressure backpressure;
    private final Producer<String, WalRecord> producer;
    private final HybridLogicalClock hlc;
    private final Versions versions;
    private final Settings settings;
    private final Executor executor;
    private final RouterMetrics metrics;
    private final BooleanSupplier coordinated;
    private final WriteConcerns concerns;
    private final ErrorResponses errors;

    /**
     * @param backpressure refuses writes while the applier is too far behind on their partition
     * @param versions     where a multi-primary write's base version comes from (this region's materialized documents)
     * @param coordinated  whether this node reaches its coordination service now (checked before every attempt)
     * @param concerns     the wait for other regions of writes whose write concern is not {@code local}
     */
    public DocumentWriter(Routing routing, PlacementCache cache, PlacementWatch watch, ApplyTracker tracker,
                          ApplierBackpressure backpressure, Producer<String, WalRecord> producer,
                          HybridLogicalClock hlc, Versions versions, Settings settings, Executor executor,
                          RouterMetrics metrics, BooleanSupplier coordinated, WriteConcerns concerns,
                          ErrorResponses errors) {
        this.concerns = concerns;
        this.errors = errors;
        this.routing = routing;
        this.cache = cache;
        this.watch = watch;
        this.tracker = tracker;
        this.backpressure = backpressure;
        this.producer = producer;
        this.hlc = hlc;
        this.versions = versions;
        this.settings = settings;
        this.executor = executor;
        this.metrics = metrics;
        this.coordinated = coordinated;
    }

    /** The answer to {@code command}; fails with {@link ApiException} for error answers. */
    public CompletableFuture<Reply> write(WriteCommand command) {
        long start = System.nanoTime();
        CompletableFuture<Reply> reply;
        try {
            reply = attempt(command, start + settings.pauseBudget().toNanos(), false);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.whenComplete((r, error) -> metrics.write(command.op(), outcome(r, error),
                Duration.ofNanos(System.nanoTime() - start)));
    }

    /**
     * One pass: route on the current placement, then hold, redirect or produce.
     *
     * @param holdDeadline System.nanoTime() after which a paused tenant gets 503
     * @param retried      whether the write was already produced once and rejected by a fence it raced (a pause, a new
     *                     epoch that still takes it here): it is retried at most once
     */
    private CompletableFuture<Reply> attempt(WriteCommand command, long holdDeadline, boolean retried) {
        // Checked on every attempt: a write held while paused may outlive the quorum.
        if (!coordinated.getAsBoolean()) {
            throw coordinationLost(command);
        }
        Placement placement = cache.get(command.tenant()).orElseThrow(() -> tenantNotFound(command.tenant()));
        Routing.Route route = routing.forWrite(placement);
        if (route instanceof Routing.Redirect redirect) {
            metrics.redirect(redirect.reason());
            LOG.debug("redirect write tenant={} key={} epoch={} to={} reason={}", command.tenant(), command.key(),
                    placement.epoch(), redirect.region(), redirect.reason().tagValue());
            return CompletableFuture.completedFuture(
                    routing.redirectReply(redirect, command.tenant(), command.rawPath(), command.rawQuery()));
        }
        if (route instanceof Routing.Hold) {
            long remaining = holdDeadline - System.nanoTime();
            if (remaining <= 0) {
                throw writesPaused(placement);
            }
            // Hold until the next placement (resume, or a switch to another primary), then decide again.
            return watch.awaitEpoch(command.tenant(), placement.epoch() + 1, Duration.ofNanos(remaining))
                    .thenComposeAsync(next -> {
                        if (next.isEmpty()) {
                            throw writesPaused(placement);
                        }
                        cache.invalidate(command.tenant());  // the view is ahead of a not yet invalidated entry
                        return attempt(command, holdDeadline, retried);
                    }, executor);
        }
        WriteConcern concern = WriteConcerns.effective(command.writeConcern(), placement);
        concerns.check(command.tenant(), concern, placement);  // refused before anything is written
        backpressure.check(command.tenant());
        long deadline = System.nanoTime() + settings.applyTimeout().toNanos();
        // One hand-off to the executor, whoever completes the verdict (the applier's stream thread, the producer's I/O
        // thread on a failed send, the timeout's timer): the answer is built there, never on those threads.
        return produce(command, placement)
                .handleAsync((outcome, error) -> error == null
                        ? decide(command, placement, outcome, retried, concern, deadline)
                        : CompletableFuture.<Reply>failedFuture(translate(command, placement,
                                ErrorResponses.unwrap(error))), executor)
                .thenCompose(Function.identity());
    }

    private CompletableFuture<ApplyOutcome> produce(WriteCommand command, Placement placement) {
        // A multi-primary write is based on the document as this region has it: the applier tells a concurrent write
        // from another region by it. (Read before the timestamp: the base is at most as new as the write.)
        String base = placement.mode() == ReplicationMode.MULTI_PRIMARY
                ? versions.versionOf(command.tenant(), command.key()) : WalRecord.NO_VERSION;
        // Later than every record this node applied, so that "last writer" never means one region's fast clock.
        long timestamp = hlc.nowAfter(tracker.observedHlc());
        WalRecord record = command.isDelete()
                ? new WalRecord.Delete(command.tenant(), command.key(), placement.epoch(), routing.region(),
                        timestamp, command.writeId(), base, command.ifMatch())
                : new WalRecord.Put(command.tenant(), command.key(), command.value(), placement.epoch(),
                        routing.region(), timestamp, command.writeId(), base, command.ifMatch());
        ProducerRecord<String, WalRecord> produced = new ProducerRecord<>(Topics.WAL.name(), command.tenant(), record);
        if (command.generatedId()) {
            WalHeaders.markGeneratedId(produced.headers());
        }
        // Registered before producing, so even an instant verdict cannot be missed.
        ApplyTracker.PendingWrite pending = tracker.expect(command.tenant(), command.writeId());
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            producer.send(produced, (metadata, error) -> {
                if (error != null) {
                    sent.completeExceptionally(new SendFailed(error));
                } else {
                    // The verdict that answers this write is the one on this very record.
                    pending.produced(new Position(metadata.partition(), metadata.offset()));
                    sent.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(new SendFailed(e));
        }
        // Acknowledged by Kafka, then accepted by the applier: both within one budget.
        return sent.thenCompose(metadata -> pending.verdict())
                .orTimeout(settings.applyTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((outcome, error) -> {
                    if (error != null) {
                        pending.cancel();
                    }
                });
    }

    private RuntimeException translate(WriteCommand command, Placement placement, Throwable error) {
        // The backstop of DocumentLimit: Kafka's producer or broker refused the record's size; a retry cannot help.
        if (error instanceof SendFailed failed && failed.getCause() instanceof RecordTooLargeException) {
            LOG.warn("write refused as too large tenant={} key={} writeId={}: {}", command.tenant(), command.key(),
                    command.writeId(), failed.getCause().toString());
            return ApiException.of(ErrorCode.DOCUMENT_TOO_LARGE, "Kafka refused the write's record as too large ("
                    + failed.getCause().getMessage() + "): store a smaller document; retrying it cannot succeed",
                    command.tenant(), Map.of(), failed.getCause());
        }
        if (error instanceof SendFailed failed) {
            LOG.warn("write not produced tenant={} key={} epoch={} writeId={}: {}", command.tenant(), command.key(),
                    placement.epoch(), command.writeId(), failed.getCause().toString());
            return ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "Kafka did not take the write ("
                    + failed.getCause().getMessage() + "): retry with the same Idempotency-Key", command.tenant(),
                    Map.of(), failed.getCause());
        }
        if (error instanceof PartitionMovedException moved) {
            LOG.warn("write undecided here: WAL partition moved tenant={} key={} epoch={} writeId={} position={}",
                    command.tenant(), command.key(), placement.epoch(), command.writeId(), moved.position());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("writeId", command.writeId());
            details.put("position", moved.position().toString());
            return ApiException.of(ErrorCode.PARTITION_MOVING, "the write is in the WAL at " + moved.position()
                    + ", but its partition moved to another node of region " + routing.region() + " (a node joined"
                    + " or left) before this node decided it: it may still be applied. Retry with the same"
                    + " Idempotency-Key ('" + command.writeId() + "'), or read the document to check",
                    command.tenant(), details, null);
        }
        if (error instanceof TimeoutException) {
            LOG.warn("write timed out tenant={} key={} epoch={} writeId={} after {} ms", command.tenant(),
                    command.key(), placement.epoch(), command.writeId(), settings.applyTimeout().toMillis());
            return ApiException.of(ErrorCode.APPLY_TIMEOUT, "the write was not confirmed within "
                    + settings.applyTimeout().toMillis() + " ms; it may still be applied. Retry with the same"
                    + " Idempotency-Key ('" + command.writeId() + "'), or read the document to check",
                    command.tenant(), Map.of("writeId", command.writeId()), null);
        }
        return error instanceof RuntimeException runtime ? runtime : new CompletionException(error);
    }

    /**
     * @param concern  the write's effective write concern
     * @param answerBy System.nanoTime() by which the write must be answered (the apply timeout from producing)
     */
    private CompletableFuture<Reply> decide(WriteCommand command, Placement placement, ApplyOutcome outcome,
                                            boolean retried, WriteConcern concern, long answerBy) {
        Position position = outcome.writtenAt();
        switch (outcome.verdict()) {
            case ACCEPTED -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("tenant", command.tenant());
                body.put("key", command.key());
                body.put("position", position.toString());
                body.put("epoch", placement.epoch());
                body.put("region", routing.region());
                if (outcome.superseded()) {
                    // Multi-primary, last writer wins: acknowledged, but a concurrent write from another region won.
                    body.put("superseded", true);
                    body.put("current", outcome.current());
                }
                if (concern.kind() == WriteConcern.Kind.LOCAL) {
                    return CompletableFuture.completedFuture(Reply.json(command.isDelete() ? 200 : 201, body,
                            Map.of(Headers.POSITION, position.toString())));
                }
                // Accepted here, so by every region that applies it: now wait until enough of them did.
                return concerns.await(command.tenant(), concern, placement, outcome.position(), answerBy)
                        .thenApplyAsync(waited -> concernReply(command, body, position, waited), executor);
            }
            case REJECTED_PAUSED -> {
                logRejected(command, placement, outcome);
                cache.invalidate(command.tenant());
                if (retried) {
                    throw writesPaused(outcome.fence());
                }
                // The write raced a pause: wait for the placement after it, then try once more on that one.
                return retryOnEpoch(command, outcome.fence().epoch() + 1, () -> writesPaused(outcome.fence()));
            }
            case REJECTED_STALE_EPOCH, REJECTED_NOT_WRITABLE_HERE -> {
                logRejected(command, placement, outcome);
                cache.invalidate(command.tenant());
                Placement fence = outcome.fence();
                if (retried || fence == null || fence.epoch() <= placement.epoch()
                        || !fence.acceptsWritesIn(routing.region())) {
                    throw placementChanged(command, outcome);
                }
                // The placement moved on (a replica added, a sync ended) but still takes this write here. The rejected
                // write was applied nowhere and its id was not remembered, so one more try on the new epoch is safe.
                return retryOnEpoch(command, fence.epoch(), () -> placementChanged(command, outcome));
            }
            case REJECTED_WRITE_CONFLICT -> {
                logRejected(command, placement, outcome);
                throw ApiException.of(ErrorCode.WRITE_CONFLICT, "another region wrote document '" + command.key()
                        + "' of tenant " + command.tenant() + " concurrently (now at version " + outcome.current()
                        + "); the tenant's strategy is reject, so this write was NOT applied. Read the document,"
                        + " then write again (If-Match: " + outcome.current() + " makes that retry safe)",
                        command.tenant(), Map.of("current", outcome.current(), "position",
                                outcome.position().toString()), null);
            }
            case REJECTED_PRECONDITION -> {
                logRejected(command, placement, outcome);
                throw ApiException.of(ErrorCode.PRECONDITION_FAILED, "If-Match " + command.ifMatch()
                        + " but document '" + command.key() + "' of tenant " + command.tenant() + " is at version "
                        + outcome.current() + "; the write was NOT applied. Read the document and decide again",
                        command.tenant(), Map.of("current", outcome.current(), "expected", command.ifMatch(),
                                "position", outcome.position().toString()), null);
            }
            case REJECTED_ID_REUSED -> {
                logRejected(command, placement, outcome);
                throw ApiException.of(ErrorCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + command.writeId()
                        + "' was already used for another write of tenant " + command.tenant() + " (at "
                        + outcome.writtenAt() + "); nothing was applied. Use a new key for a new write",
                        command.tenant(), Map.of("position", outcome.writtenAt().toString()), null);
            }
            case DEAD_LETTERED -> {
                logRejected(command, placement, outcome);
                throw ApiException.of(ErrorCode.INTERNAL, "the applier could not process the write and sent it to"
                        + " meridian.dlq (" + outcome.reason() + "); nothing was applied. Report this with the"
                        + " position " + outcome.position(), command.tenant(),
                        Map.of("position", outcome.position().toString()), null);
            }
            case REJECTED_UNKNOWN_TENANT -> {
                logRejected(command, placement, outcome);
                cache.invalidate(command.tenant());
                throw tenantNotFound(command.tenant());
            }
            default -> throw new IllegalStateException("unknown verdict " + outcome.verdict());
        }
    }

    /**
     * The one retry of a write a fence rejected: once this node's placement view reaches {@code minEpoch} (within the
     * pause budget), route and produce it again; else {@code giveUp}.
     */
    private CompletableFuture<Reply> retryOnEpoch(WriteCommand command, long minEpoch,
                                                  Supplier<ApiException> giveUp) {
        long deadline = System.nanoTime() + settings.pauseBudget().toNanos();
        return watch.awaitEpoch(command.tenant(), minEpoch, settings.pauseBudget())
                .thenComposeAsync(next -> {
                    if (next.isEmpty()) {
                        throw giveUp.get();
                    }
                    cache.invalidate(command.tenant());  // the view is ahead of a not yet invalidated entry
                    return attempt(command, deadline, true);
                }, executor);
    }

    private Reply concernReply(WriteCommand command, Map<String, Object> body, Position position,
                               WriteConcerns.Outcome waited) {
        if (waited.satisfied()) {
            body.put("writeConcern", waited.concern().wireName());
            body.put("appliedIn", waited.applied());
            return Reply.json(command.isDelete() ? 200 : 201, body, Map.of(Headers.POSITION, position.toString()));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("position", position.toString());
        details.put("writeConcern", waited.concern().wireName());
        details.put("required", waited.required());
        details.put("appliedIn", waited.applied());
        details.put("missing", waited.missing());
        String message = "the write is durable in Kafka and applied in " + waited.applied() + ", but not by "
                + waited.required() + " regions within " + settings.applyTimeout().toMillis() + " ms (write concern "
                + waited.concern() + "; not yet: " + waited.missing() + "). It will be applied everywhere: read it with"
                + " X-Meridian-Min-Position " + position
                // Only a client's key is remembered: a retry of a write without one would be applied again.
                + (command.generatedId() ? "; do not send it again"
                        : ", or retry with the same Idempotency-Key ('" + command.writeId() + "') to wait again");
        return errors.reply(ErrorCode.WRITE_CONCERN_TIMEOUT, message, details)
                .withHeader(Headers.POSITION, position.toString());
    }

    private static void logRejected(WriteCommand command, Placement placement, ApplyOutcome outcome) {
        Placement fence = outcome.fence();
        LOG.info("write rejected tenant={} key={} epoch={} position={} verdict={} fenceEpoch={} primary={} reason={}",
                command.tenant(), command.key(), placement.epoch(), outcome.position(), outcome.verdict(),
                fence == null ? "-" : fence.epoch(), fence == null ? "-" : fence.primary(), outcome.reason());
    }

    private ApiException placementChanged(WriteCommand command, ApplyOutcome outcome) {
        Placement fence = outcome.fence();
        String primary = Optional.ofNullable(fence).map(Placement::primary).orElse(null);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("primary", primary);
        details.put("epoch", fence == null ? null : fence.epoch());
        details.put("position", outcome.position().toString());
        return ApiException.of(ErrorCode.PLACEMENT_CHANGED, "the placement of tenant " + command.tenant()
                + " changed while the write was in flight (now epoch " + (fence == null ? "?" : fence.epoch())
                + ", primary " + primary + "); the write was NOT applied: retry it"
                + (primary != null && !primary.equals(routing.region()) ? " in " + primary : ""),
                command.tenant(), details, null);
    }

    private ApiException writesPaused(Placement placement) {
        return ApiException.of(ErrorCode.WRITES_PAUSED, "writes of tenant " + placement.tenant()
                + " are paused (epoch " + placement.epoch() + ", e.g. during a migration) and did not resume within "
                + settings.pauseBudget().toMillis() + " ms: retry after the Retry-After delay", placement.tenant(),
                Map.of("epoch", placement.epoch()), null);
    }

    private ApiException coordinationLost(WriteCommand command) {
        LOG.warn("write refused: no coordination quorum tenant={} key={} region={}", command.tenant(), command.key(),
                routing.region());
        return ApiException.of(ErrorCode.COORDINATION_LOST, "this node lost contact with its coordination service"
                + " (ZooKeeper or the Kafka group coordinator) and cannot know whether region " + routing.region()
                + " is being failed over, so it accepts no writes until contact is back; nothing was written. Retry"
                + " after the Retry-After delay (reads still work)", command.tenant(),
                Map.of("region", routing.region()), null);
    }

    static ApiException tenantNotFound(String tenant) {
        return ApiException.of(ErrorCode.TENANT_NOT_FOUND, "tenant " + tenant + " has no placement: create it with"
                + " PUT /admin/tenants/" + tenant + "/placement", tenant);
    }

    private static WriteOutcome outcome(Reply reply, Throwable error) {
        if (error == null) {
            return switch (reply.status()) {
                case 307 -> WriteOutcome.REDIRECTED;
                case 503 -> WriteOutcome.WRITE_CONCERN_TIMEOUT;
                default -> WriteOutcome.ACCEPTED;
            };
        }
        if (ErrorResponses.unwrap(error) instanceof ApiException api) {
            return switch (api.code()) {
                case PLACEMENT_CHANGED -> WriteOutcome.PLACEMENT_CHANGED;
                case WRITES_PAUSED -> WriteOutcome.PAUSED;
                case APPLY_TIMEOUT -> WriteOutcome.TIMEOUT;
                case APPLIER_BEHIND -> WriteOutcome.APPLIER_BEHIND;
                case PARTITION_MOVING -> WriteOutcome.PARTITION_MOVED;
                case KAFKA_UNAVAILABLE -> WriteOutcome.KAFKA_UNAVAILABLE;
                case COORDINATION_LOST -> WriteOutcome.COORDINATION_LOST;
                case WRITE_CONFLICT -> WriteOutcome.WRITE_CONFLICT;
                case PRECONDITION_FAILED -> WriteOutcome.PRECONDITION_FAILED;
                default -> WriteOutcome.FAILED;
            };
        }
        return WriteOutcome.FAILED;
    }

    /** Marks a failure of the producer, as opposed to the wait for the verdict. */
    private static final class SendFailed extends RuntimeException {
        SendFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
