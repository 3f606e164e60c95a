package io.meridian.bench.cost;

import io.meridian.infra.concurrent.NamedThreads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what every topic-partition of the cluster receives between {@link #start} and {@link #markEnd}: the end
 * offsets at both moments, and the data records in between, read by a read_uncommitted consumer that skips control
 * records (so offsets minus records = transaction markers) and returns aborted records (counted: they were produced).
 *
 * <p>It reads along while the window runs rather than after it: Kafka Streams deletes the records of its repartition
 * topics once committed, so reading afterwards would miss some and count them as markers. Fetches are batched (up to
 * {@link #FETCH_WAIT} or {@link #FETCH_MIN_BYTES}) to keep its own load on the brokers small. The consumer, and every
 * tally, belong to one thread of its own; {@link #start}, {@link #markEnd} and {@link #finish} are for one other
 * thread, once each and in that order.
 */
final class TrafficCounter {
    private static final Duration FETCH_WAIT = Duration.ofMillis(500);
    private static final int FETCH_MIN_BYTES = 256 * 1024;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch endTaken = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Set when the caller gave up waiting: the thread then ends without finishing. */
    private volatile boolean abandoned;
    private volatile RuntimeException failure;
    // Written by the counting thread; read by the caller only after 'started' or 'finished' (happens-before).
    private final Map<TopicPartition, Long> startOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> endOffsets = new HashMap<>();
    private final Map<TopicPartition, long[]> tallies = new HashMap<>();

    private TrafficCounter(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-bench-traffic");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) FETCH_WAIT.toMillis());
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, FETCH_MIN_BYTES);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = NamedThreads.factory("bench-traffic-counter").newThread(this::run);
    }

    /** Takes every partition's end offset and starts reading from there; returns once the offsets are taken. */
    static TrafficCounter start(String bootstrap) {
        TrafficCounter counter = new TrafficCounter(bootstrap);
        counter.thread.start();
        counter.await(counter.started, START_TIMEOUT, "no end offsets from Kafka");
        counter.throwIfFailed();
        return counter;
    }

    /**
     * Takes every partition's end offset again; returns once they are taken. Reading up to them goes on.
     *
     * @throws IllegalStateException if counting failed or the offsets were not taken within {@code timeout}
     */
    void markEnd(Duration timeout) {
        stopping = true;
        // Interrupts the fetch wait: the offsets are to be taken now.
        consumer.wakeup();
        await(endTaken, timeout, "no end offsets from Kafka");
        throwIfFailed();
    }

    /**
     * Waits until the records up to the end offsets are read and returns what each partition received.
     *
     * @throws IllegalStateException if reading failed or did not reach the end offsets within {@code timeout}
     */
    List<PartitionTraffic> finish(Duration timeout) {
        await(finished, timeout, "records not read up to the end offsets");
        throwIfFailed();
        List<PartitionTraffic> traffic = new ArrayList<>();
        startOffsets.forEach((tp, start) -> {
            long[] tally = tallies.getOrDefault(tp, new long[2]);
            traffic.add(new PartitionTraffic(tp.topic(), tp.partition(), start, endOffsets.get(tp), tally[0], tally[1]));
        });
        return traffic;
    }

    private void await(CountDownLatch latch, Duration timeout, String what) {
        try {
            if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                abandon();
                throw new IllegalStateException(what + " within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new IllegalStateException("interrupted: " + what, e);
        }
    }

    /** Ends the counting thread without results (it closes the consumer). */
    private void abandon() {
        abandoned = true;
        consumer.wakeup();
    }

    private void throwIfFailed() {
        if (failure != null) {
            throw new IllegalStateException("counting records failed: " + failure, failure);
        }
    }

    private void run() {
        try (consumer) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (List<PartitionInfo> infos : consumer.listTopics().values()) {
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
            startOffsets.putAll(consumer.endOffsets(partitions));
            consumer.assign(startOffsets.keySet());
            startOffsets.forEach(consumer::seek);
            started.countDown();
            while (!abandoned) {
                try {
                    // Taken here, by the only thread that polls: every record polled before has an offset below
                    // these (a high watermark only grows), every one polled after is compared with them.
                    if (stopping && endOffsets.isEmpty()) {
                        endOffsets.putAll(consumer.endOffsets(startOffsets.keySet()));
                        endTaken.countDown();
                    }
                    if (stopping && caughtUp()) {
                        break;
                    }
                    count(consumer.poll(POLL));
                } catch (WakeupException e) {
                    // stop() wants the end offsets taken now, not after the current fetch wait: loop
                }
            }
        } catch (RuntimeException e) {
            if (!(e instanceof WakeupException)) {
                failure = e;
            }
        } finally {
            started.countDown();
            endTaken.countDown();
            finished.countDown();
        }
    }

    private void count(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> record : records) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            Long end = endOffsets.get(tp);
            if (end == null || record.offset() < end) {
                long[] tally = tallies.computeIfAbsent(tp, p -> new long[2]);
                tally[0]++;
                tally[1] += payloadBytes(record);
            }
        }
    }

    /** True once the end offsets are known and the consumer's position has reached each of them. */
    private boolean caughtUp() {
        if (endOffsets.isEmpty()) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
            if (end.getValue() > startOffsets.get(end.getKey()) && consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Serialized key + value + header bytes as the producer sent them (Kafka's batch overhead not included). */
    static long payloadBytes(ConsumerRecord<byte[], byte[]> record) {
        long bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (Header header : record.headers()) {
            bytes += header.key().getBytes(StandardCharsets.UTF_8).length
                    + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }
}
