package io.meridian.election;

import io.meridian.infra.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's only way to write: a transactional Kafka producer with ONE fixed {@code transactional.id} shared by
 * every controller ({@value #DEFAULT_TRANSACTIONAL_ID} by default), stamping every record with the controller epoch
 * (header {@value #EPOCH_HEADER}, the epoch in decimal).
 *
 * <p><b>Fencing.</b> Opening it ({@code initTransactions()}) bumps the producer epoch of that id inside Kafka, which
 * aborts the previous controller's open transaction and makes every later commit of the previous controller fail with
 * {@link ProducerFencedException}. Kafka fences by "last to initialize wins", not by controller epoch, so open it only
 * while the elector says this node leads ({@link #forLeader} checks) and have it check the elector again before each
 * transaction; readers of controller records may also ignore records whose epoch header is lower than one they saw.
 *
 * <p><b>When fenced</b>, {@link #inTransaction} throws {@link ControllerFencedException} and the {@link FencingListener}
 * runs once, on the calling thread, so the node stops its controller duties at once. The producer is then useless:
 * a node that still leads by its elector opens a new one (fencing the zombie back).
 *
 * <p>Thread-safe: one transaction at a time. {@link #close()} is idempotent.
 */
public final class ControllerProducer implements ControllerWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerProducer.class);

    public static final String DEFAULT_TRANSACTIONAL_ID = "meridian-controller";
    public static final String EPOCH_HEADER = "meridian-controller-epoch";

    /** Told once when Kafka fenced this controller (a newer one opened the same transactional id). */
    @FunctionalInterface
    public interface FencingListener {
        void onFenced(long epoch, ControllerFencedException cause);
    }

    private enum Status { OPEN, FENCED, BROKEN, CLOSED }

    private final KafkaProducer<String, byte[]> producer;
    private final String transactionalId;
    private final long epoch;
    private final byte[] epochHeader;
    private final BooleanSupplier stillLeading;
    private final FencingListener onFenced;
    private final Object lock = new Object();
    private Status status = Status.OPEN;

    /**
     * Opens the producer and fences every earlier controller (blocks for up to {@code timeout}).
     *
     * @param kafkaClientProperties base Kafka client properties ({@code bootstrap.servers} at least)
     * @param transactionalId       the id every controller shares ({@link #DEFAULT_TRANSACTIONAL_ID})
     * @param epoch                 the controller epoch of this node's term
     * @param stillLeading          checked before every transaction; false ends the producer as fenced
     * @param timeout               bound for initialization, sends and commits
     * @param onFenced              told once when this controller is fenced
     * @throws ControllerWriteException when Kafka could not initialize the transactional id in time
     */
    public ControllerProducer(Map<String, Object> kafkaClientProperties, String transactionalId, long epoch,
                              BooleanSupplier stillLeading, Duration timeout, FencingListener onFenced) {
        this.transactionalId = requireNonBlank(transactionalId);
        this.epoch = epoch;
        this.epochHeader = Long.toString(epoch).getBytes(StandardCharsets.UTF_8);
        this.stillLeading = Objects.requireNonNull(stillLeading, "stillLeading");
        this.onFenced = Objects.requireNonNull(onFenced, "onFenced");
        Map<String, Object> props = new HashMap<>(kafkaClientProperties);
        props.remove("client.rack");  // a consumer setting; producers warn about it
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "meridian-controller-epoch-" + epoch);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), requestTimeout));
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new ControllerWriteException("cannot initialize the controller transactional id " + transactionalId
                    + " for epoch " + epoch + ": " + e.getMessage(), epoch, e);
        }
        LOG.info("controller producer open transactionalId={} epoch={}: earlier controllers are fenced",
                transactionalId, epoch);
    }

    /**
     * A producer for the term {@code elector} is leading now; every transaction first checks that the elector still
     * leads in that same term.
     *
     * @throws ControllerFencedException when the elector does not lead (nothing was initialized)
     */
    public static ControllerProducer forLeader(LeaderElector elector, Map<String, Object> kafkaClientProperties,
                                               String transactionalId, Duration timeout, FencingListener onFenced) {
        long epoch = elector.epoch();
        BooleanSupplier leads = () -> elector.isLeader() && elector.epoch() == epoch;
        if (!leads.getAsBoolean()) {
            throw new ControllerFencedException("node " + elector.self().nodeId() + " does not lead (epoch " + epoch
                    + "); not opening the controller producer", epoch, null);
        }
        return new ControllerProducer(kafkaClientProperties, transactionalId, epoch, leads, timeout, onFenced);
    }

    @Override
    public long epoch() {
        return epoch;
    }

    public String transactionalId() {
        return transactionalId;
    }

    /** Whether Kafka (or the elector) ended this controller's term for this producer. */
    public boolean isFenced() {
        synchronized (lock) {
            return status == Status.FENCED;
        }
    }

    /**
     * Runs {@code body} in one Kafka transaction and commits it: all of its records become visible to
     * {@code read_committed} readers together, or none does.
     *
     * @throws ControllerFencedException fatal: this controller is fenced (Kafka, or the elector says it no longer
     *                                   leads); the listener was told; nothing of the transaction is visible
     * @throws ControllerWriteException  retriable: the transaction was aborted (if the producer itself broke, the
     *                                   message says to open a new one)
     * @throws IllegalStateException     when closed
     * @throws RuntimeException          whatever {@code body} threw (the transaction was aborted)
     */
    @Override
    public void inTransaction(Consumer<ControllerTransaction> body) {
        Objects.requireNonNull(body, "body");
        ControllerFencedException fenced;
        synchronized (lock) {
            switch (status) {
                case CLOSED -> throw new IllegalStateException("controller producer of epoch " + epoch + " is closed");
                case FENCED -> throw new ControllerFencedException("controller epoch " + epoch
                        + " was fenced earlier; this producer cannot write", epoch, null);
                case BROKEN -> throw new ControllerWriteException("the controller producer of epoch " + epoch
                        + " failed fatally; open a new one", epoch, null);
                default -> {
                    // OPEN
                }
            }
            if (!stillLeading.getAsBoolean()) {
                fenced = fence(new ControllerFencedException("this node no longer leads in controller epoch " + epoch,
                        epoch, null));
            } else {
                fenced = runLocked(body);
                if (fenced == null) {
                    return;
                }
            }
        }
        report(fenced);
        throw fenced;
    }

    /** Runs and commits; returns the fencing to report, or null on success. Throws for other failures. */
    private ControllerFencedException runLocked(Consumer<ControllerTransaction> body) {
        boolean inBody = false;
        try {
            producer.beginTransaction();
            inBody = true;
            body.accept(new Transaction());
            inBody = false;
            producer.commitTransaction();
            return null;
        } catch (RuntimeException e) {
            if (isFencing(e)) {
                return fence(new ControllerFencedException("controller epoch " + epoch + " is fenced: a newer"
                        + " controller opened transactional id " + transactionalId, epoch, e));
            }
            ControllerFencedException abortFenced = abort(e);
            if (abortFenced != null) {
                return abortFenced;
            }
            if (inBody && !(e instanceof KafkaException)) {
                throw e;  // the caller's own failure, e.g. a record it could not build
            }
            throw new ControllerWriteException("controller transaction of epoch " + epoch + " was not committed ("
                    + e.getMessage() + ")" + (status == Status.BROKEN ? "; the producer broke, open a new one"
                    : "; retry while leading"), epoch, e);
        }
    }

    /** Aborts after {@code cause}; an abort that reveals fencing returns it. */
    private ControllerFencedException abort(RuntimeException cause) {
        try {
            producer.abortTransaction();
            return null;
        } catch (RuntimeException e) {
            e.addSuppressed(cause);
            if (isFencing(e)) {
                return fence(new ControllerFencedException("controller epoch " + epoch + " is fenced: a newer"
                        + " controller opened transactional id " + transactionalId, epoch, e));
            }
            LOG.error("aborting a controller transaction failed epoch={}; the producer is unusable", epoch, e);
            status = Status.BROKEN;
            producer.close(Duration.ZERO);
            return null;
        }
    }

    private ControllerFencedException fence(ControllerFencedException e) {
        status = Status.FENCED;
        LOG.warn("controller fenced transactionalId={} epoch={}: {} (cause: {})", transactionalId, epoch,
                e.getMessage(), e.getCause() == null ? "-" : e.getCause().toString());
        // The producer is in a fatal state; nothing more can be written with it.
        producer.close(Duration.ZERO);
        return e;
    }

    private void report(ControllerFencedException e) {
        try {
            onFenced.onFenced(epoch, e);
        } catch (RuntimeException listenerFailure) {
            LOG.error("fencing listener failed epoch={}", epoch, listenerFailure);
        }
    }

    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The controller epoch in {@code headers} (the last {@value #EPOCH_HEADER}), empty when absent or unreadable. */
    public static OptionalLong epochOf(Headers headers) {
        Header header = headers.lastHeader(EPOCH_HEADER);
        if (header == null || header.value() == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(new String(header.value(), StandardCharsets.UTF_8)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (status == Status.CLOSED) {
                return;
            }
            boolean open = status == Status.OPEN;
            status = Status.CLOSED;
            if (open) {
                // An open transaction (none between calls) would be aborted by the coordinator anyway.
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    private static String requireNonBlank(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("transactionalId must not be blank");
        }
        return id;
    }

    private final class Transaction implements ControllerTransaction {
        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value) {
            byte[] bytes = value == null ? null : topic.valueSerde().serializer().serialize(topic.name(), value);
            return send(new ProducerRecord<>(topic.name(), key, bytes));
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            record.headers().remove(EPOCH_HEADER);
            record.headers().add(EPOCH_HEADER, epochHeader);
            return producer.send(record);
        }
    }
}
