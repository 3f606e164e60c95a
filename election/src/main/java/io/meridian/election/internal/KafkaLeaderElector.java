package io.meridian.election.internal;

import io.meridian.election.ElectionCandidate;
import io.meridian.infra.concurrent.NamedThreads;
import io.meridian.election.ElectionSettings;
import io.meridian.election.internal.ControllerAssignor.AssignmentInfo;
import io.meridian.election.internal.ControllerAssignor.MemberInfo;
import io.meridian.infra.config.ElectionConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka} backend: no ZooKeeper, Kafka's group coordinator decides.
 *
 * <p>A {@link KafkaConsumer} (classic group protocol, eager rebalancing) joins group {@code meridian-controller},
 * subscribed to the one-partition controller topic, with the {@link ControllerAssignor}: at every rebalance the
 * best-ranked member (applied WAL position, then priority, then node id) gets partition 0 and leads; the group
 * generation is the epoch. The consumer never reads a record: partition 0 is paused, and a dedicated thread
 * ({@code meridian-election-kafka-<nodeId>}) polls only so the group protocol and heartbeats run.
 *
 * <p><b>Losing.</b> Revocation (every rebalance starts with one: eager) or loss of partition 0 deposes; so does silence
 * of the coordinator for about a session timeout ({@link CoordinatorContact}), because the classic consumer keeps its
 * partitions while cut off even after the coordinator evicted it. When contact returns, a deposed leader forces a
 * rebalance, so any new term gets a new generation.
 *
 * <p><b>Epochs</b> are group generations: strictly increasing while the group exists. The coordinator keeps an empty
 * group (and its generation) as long as it has committed offsets, so each new leader commits one (metadata
 * {@code controller epoch=N node=X}): the counter then survives a full stop of every node for
 * {@code offsets.retention.minutes} (7 days by default). A group deleted after that starts again at generation 1; the
 * {@code ControllerProducer} still fences by transactional id, but readers comparing epochs across such a gap must
 * not. (The zookeeper backend keeps its epoch forever.)
 *
 * <p><b>Closing</b> gives leadership up locally, then leaves the group, which starts a rebalance at once: another
 * member leads after about one heartbeat interval.
 *
 * <p>Thread-safe. The consumer is used on the polling thread only (and {@code wakeup()} from {@link #close()}).
 */
public final class KafkaLeaderElector extends AbstractLeaderElector {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLeaderElector.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration ERROR_BACKOFF = Duration.ofMillis(500);
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String COORDINATOR_METRICS = "consumer-coordinator-metrics";
    private static final Set<String> RESPONSE_COUNTERS = Set.of("heartbeat-total", "join-total", "sync-total");

    private final ElectionSettings settings;
    private final TopicPartition controllerPartition;
    private final Duration sessionTimeout;
    private final Duration heartbeatInterval;
    private final Duration rebalanceTimeout;
    private final CoordinatorContact contact;
    private final Member member = new Member();

    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Thread pollThread;
    private volatile boolean running;
    private volatile List<ElectionCandidate> members = List.of();

    // Confined to the polling thread.
    private int assignedGeneration = -1;
    private ElectionCandidate assignedLeader;
    private boolean recheckAfterContactLoss;
    private List<Metric> responseCounters;

    public KafkaLeaderElector(ElectionCandidate self, ElectionSettings settings) {
        super(ElectionConfigs.BACKEND_KAFKA, self, settings.clock());
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.kafkaClientProperties().get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException("the kafka election backend needs bootstrap.servers in the Kafka client"
                    + " properties");
        }
        this.controllerPartition = new TopicPartition(settings.controllerTopic(), 0);
        this.sessionTimeout = settings.kafkaSessionTimeout();
        // Ten heartbeats per session: a closed leader's successor learns of the rebalance within one interval.
        this.heartbeatInterval = Duration.ofMillis(Math.max(100, sessionTimeout.toMillis() / 10));
        this.rebalanceTimeout = sessionTimeout.multipliedBy(2);
        this.contact = new CoordinatorContact(clock, sessionTimeout.minus(heartbeatInterval), rebalanceTimeout);
    }

    @Override
    protected void doStart() {
        Map<String, Object> props = new HashMap<>(settings.kafkaClientProperties());
        // Static membership would keep a closed leader in the group for a whole session: always dynamic.
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.kafkaGroupId());
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "meridian-election-" + self.nodeId());
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ControllerAssignor.class.getName());
        props.put(ControllerAssignor.MEMBER_CONFIG, member);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Math.toIntExact(sessionTimeout.toMillis()));
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.toIntExact(heartbeatInterval.toMillis()));
        // The rebalance timeout: how long the coordinator waits for members to rejoin. Ours poll every 100 ms.
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Math.toIntExact(rebalanceTimeout.toMillis()));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer = c;
        running = true;
        Thread t = NamedThreads.thread("meridian-election-kafka-" + self.nodeId(), () -> pollLoop(c));
        pollThread = t;
        t.start();
    }

    @Override
    protected void doClose() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        Thread t = pollThread;
        if (c != null) {
            c.wakeup();
        }
        if (t == null) {
            if (c != null) {
                closeConsumer(c);
            }
            return;
        }
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(CONSUMER_CLOSE_TIMEOUT.plusSeconds(5).toMillis());
            if (t.isAlive()) {
                LOG.warn("election polling thread of node={} did not stop in time", self.nodeId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public List<ElectionCandidate> liveNodes() {
        return members;
    }

    /** The session timeout the group uses. */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    private void pollLoop(KafkaConsumer<byte[], byte[]> c) {
        try {
            c.subscribe(List.of(controllerPartition.topic()), new RebalanceListener(c));
            while (running) {
                try {
                    // Records never come back: partition 0 is paused as soon as it is assigned.
                    c.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    // close() woke us up; the loop condition ends it.
                } catch (InterruptException e) {
                    // Kafka restored the interrupt flag; an interrupted polling thread stops.
                    LOG.warn("election polling thread of node={} interrupted; leaving the election", self.nodeId());
                    break;
                } catch (RuntimeException e) {
                    LOG.warn("election poll failed node={} epoch={}: {}", self.nodeId(), epoch(), e.toString());
                    if (!backOff()) {
                        break;
                    }
                }
                if (running) {
                    checkContact(c);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("election polling thread of node={} failed", self.nodeId(), e);
        } finally {
            if (stepDown("election polling stopped")) {
                LOG.warn("node={} stopped polling while leading", self.nodeId());
            }
            closeConsumer(c);
        }
    }

    private boolean backOff() {
        try {
            Thread.sleep(ERROR_BACKOFF.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Updates the quorum from the coordinator's responses; runs after every poll. */
    private void checkContact(KafkaConsumer<byte[], byte[]> c) {
        contact.observeResponses(responseTotal(c));
        boolean has = contact.hasContact();
        if (!has && hasQuorum()) {
            quorumChanged(false, "no answer from the group coordinator for " + contact.silentMs() + " ms");
            recheckAfterContactLoss = true;
        } else if (has && !hasQuorum()) {
            quorumChanged(true, "the group coordinator answers again");
            if (recheckAfterContactLoss) {
                recheckAfterContactLoss = false;
                recheck(c);
            }
        }
    }

    /**
     * Contact came back without a rebalance. A follower whose generation is still current knows the leader again; a
     * deposed leader (it still owns partition 0) or a member of an unknown generation forces a rebalance, so that any
     * new term has a new epoch.
     */
    private void recheck(KafkaConsumer<byte[], byte[]> c) {
        boolean ownsPartition = c.assignment().contains(controllerPartition);
        if (!ownsPartition && assignedLeader != null && c.groupMetadata().generationId() == assignedGeneration) {
            observeLeader(assignedLeader, assignedGeneration);
            return;
        }
        LOG.info("forcing a controller rebalance node={} ownsPartition={} generation={}", self.nodeId(),
                ownsPartition, assignedGeneration);
        c.enforceRebalance("meridian election: coordinator contact regained");
    }

    private double responseTotal(KafkaConsumer<byte[], byte[]> c) {
        if (responseCounters == null) {
            List<Metric> found = new ArrayList<>();
            for (Map.Entry<MetricName, ? extends Metric> e : c.metrics().entrySet()) {
                if (COORDINATOR_METRICS.equals(e.getKey().group()) && RESPONSE_COUNTERS.contains(e.getKey().name())) {
                    found.add(e.getValue());
                }
            }
            if (found.isEmpty()) {
                LOG.warn("consumer metrics {} not found: coordinator contact is judged by rebalances only",
                        RESPONSE_COUNTERS);
            }
            responseCounters = found;
        }
        if (responseCounters.isEmpty()) {
            return Double.NaN;
        }
        double total = 0;
        for (Metric m : responseCounters) {
            if (m.metricValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    private void closeConsumer(KafkaConsumer<byte[], byte[]> c) {
        try {
            // Leaves the group: the coordinator rebalances at once instead of waiting for the session to expire.
            c.close(CloseOptions.timeout(CONSUMER_CLOSE_TIMEOUT));
        } catch (InterruptException e) {
            LOG.warn("interrupted while leaving the election group node={}", self.nodeId());
        } catch (RuntimeException e) {
            LOG.warn("leaving the election group failed node={}", self.nodeId(), e);
        }
    }

    private long appliedPosition() {
        try {
            return settings.appliedPosition().getAsLong();
        } catch (RuntimeException e) {
            LOG.warn("applied position unavailable node={}; ranking this node last: {}", self.nodeId(), e.toString());
            return -1;
        }
    }

    /** The assignor's view of this member; called on the polling thread. */
    private final class Member implements ControllerAssignor.Member {
        @Override
        public String topic() {
            return controllerPartition.topic();
        }

        @Override
        public MemberInfo joining() {
            contact.rebalanceStarted();
            // Eager rebalancing revoked partition 0 already; this covers a join without a revocation callback.
            stepDown("group rebalance");
            observeLeader(null, -1);
            long position = appliedPosition();
            LOG.debug("joining the election group node={} position={} priority={}", self.nodeId(), position,
                    self.priority());
            return new MemberInfo(ControllerAssignor.VERSION, self, position);
        }

        @Override
        public void assigned(AssignmentInfo info, List<TopicPartition> partitions, int generation) {
            contact.rebalanceCompleted();
            recheckAfterContactLoss = false;
            if (!hasQuorum()) {
                quorumChanged(true, "joined the election group in generation " + generation);
            }
            members = info.members().stream().map(MemberInfo::candidate)
                    .sorted(Comparator.comparing(ElectionCandidate::nodeId)).toList();
            assignedGeneration = generation;
            assignedLeader = info.leaderCandidate();
            boolean owns = partitions.contains(controllerPartition);
            LOG.info("election rebalance done node={} generation={} leader={} owns={} members={}", self.nodeId(),
                    generation, assignedLeader == null ? "-" : assignedLeader.nodeId(), owns, members.size());
            if (!owns) {
                // Leadership itself starts in onPartitionsAssigned, once the consumer really owns partition 0.
                observeLeader(assignedLeader != null && !self.sameNode(assignedLeader) ? assignedLeader : null,
                        generation);
            }
        }
    }

    private final class RebalanceListener implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> c;

        RebalanceListener(KafkaConsumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.contains(controllerPartition)) {
                stepDown("controller partition revoked (group rebalance)");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.contains(controllerPartition)) {
                stepDown("controller partition lost (group membership expired)");
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            c.pause(partitions);
            if (!partitions.contains(controllerPartition) || !running) {
                return;
            }
            int generation = assignedGeneration;
            if (becomeLeader(generation)) {
                // Keeps the group (and with it the generation counter) alive for offsets.retention.minutes even
                // while every node is down, and records who led which epoch.
                c.commitAsync(Map.of(controllerPartition, new OffsetAndMetadata(0L,
                        "controller epoch=" + generation + " node=" + self.nodeId())), (offsets, e) -> {
                            if (e != null) {
                                LOG.debug("recording controller epoch={} in the group failed node={}: {}",
                                        generation, self.nodeId(), e.toString());
                            }
                        });
            }
        }
    }
}
