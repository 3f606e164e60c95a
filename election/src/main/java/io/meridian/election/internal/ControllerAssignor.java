package io.meridian.election.internal;

import io.meridian.election.ElectionCandidate;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.infra.serde.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka} backend's election, as a consumer-group partition assignor (public client API, classic group
 * protocol, eager rebalancing).
 *
 * <ul>
 *   <li>Each member's subscription user data carries its {@link MemberInfo}: candidate and applied WAL position, read
 *       fresh at every join.</li>
 *   <li>The group leader's {@link #assign} ranks the members — highest applied position, then highest priority, then
 *       smallest node id (then member id, so the outcome is deterministic) — and gives partition 0 of the controller
 *       topic to the first. Everyone's assignment user data ({@link AssignmentInfo}) names that leader and every
 *       member.</li>
 *   <li>{@link #onAssignment} hands the outcome and the group generation (the controller epoch) to the member's
 *       elector.</li>
 * </ul>
 *
 * <p>Kafka instantiates the assignor by class name; the elector reaches its instance through the consumer config
 * {@value #MEMBER_CONFIG}, whose value is the {@link Member} callback object (Kafka passes the original config
 * values, objects included, to {@link #configure}).
 */
public final class ControllerAssignor implements ConsumerPartitionAssignor, Configurable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerAssignor.class);

    /** The assignor's protocol name in the group. */
    public static final String NAME = "meridian-controller";
    /** Consumer config key whose value is the {@link Member} of this consumer. */
    public static final String MEMBER_CONFIG = "meridian.election.member";
    static final int VERSION = 1;

    /** Best first: highest applied position, then highest priority, then smallest node id. */
    public static final Comparator<MemberInfo> RANKING = Comparator
            .comparingLong(MemberInfo::appliedPosition).reversed()
            .thenComparing(Comparator.comparingInt((MemberInfo m) -> m.candidate().priority()).reversed())
            .thenComparing(m -> m.candidate().nodeId());

    /**
     * Meridian's JSON, but tolerant of fields it does not know: members of a newer version may add some during a
     * rolling upgrade.
     */
    private static final ObjectMapper WIRE = Json.MAPPER.copy()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Member member;

    /** The elector side of the assignor; called on the consumer's polling thread. */
    public interface Member {
        /** The controller topic: the leader owns its partition 0. */
        String topic();

        /** This member's candidate and its current applied position (a rejoin starts: no leader known now). */
        MemberInfo joining();

        /** The outcome of a rebalance, before {@code onPartitionsAssigned}. */
        void assigned(AssignmentInfo info, List<TopicPartition> partitions, int generation);
    }

    /** What a member tells the group leader when it joins. */
    public record MemberInfo(int version, ElectionCandidate candidate, long appliedPosition) {
        public MemberInfo {
            Objects.requireNonNull(candidate, "candidate");
        }
    }

    /**
     * What every member learns from a rebalance.
     *
     * @param leaderIndex index in {@code members} of the member that owns partition 0, {@code -1} when nobody can
     *                    (the topic is missing, no member sent a readable candidate)
     * @param members     every eligible member's info, best-ranked first
     */
    public record AssignmentInfo(int version, int leaderIndex, List<MemberInfo> members) {
        public AssignmentInfo {
            members = List.copyOf(Objects.requireNonNull(members, "members"));
            if (leaderIndex < -1 || leaderIndex >= members.size()) {
                throw new IllegalArgumentException("leaderIndex " + leaderIndex + " outside the " + members.size()
                        + " members");
            }
        }

        static AssignmentInfo none() {
            return new AssignmentInfo(VERSION, -1, List.of());
        }

        /** The leader, or {@code null} when there is none. */
        public ElectionCandidate leaderCandidate() {
            return leaderIndex < 0 ? null : members.get(leaderIndex).candidate();
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(MEMBER_CONFIG);
        if (!(value instanceof Member m)) {
            throw new IllegalArgumentException(ControllerAssignor.class.getSimpleName() + " needs the consumer config "
                    + MEMBER_CONFIG + " set to a " + Member.class.getName() + ", got " + value);
        }
        this.member = m;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        // Eager: the old leader gives partition 0 (and leadership) up before anyone gets it.
        return List.of(RebalanceProtocol.EAGER);
    }

    @Override
    public ByteBuffer subscriptionUserData(Set<String> topics) {
        MemberInfo info = member.joining();
        return ByteBuffer.wrap(write(new MemberInfo(VERSION, info.candidate(), info.appliedPosition())));
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        String topic = member.topic();
        Integer partitions = metadata.partitionCountForTopic(topic);
        return new GroupAssignment(assign(topic, partitions == null ? 0 : partitions,
                groupSubscription.groupSubscription()));
    }

    /** The election itself, free of consumer plumbing. */
    static Map<String, Assignment> assign(String topic, int partitionCount, Map<String, Subscription> subscriptions) {
        record Ranked(String memberId, MemberInfo info) {
        }
        List<Ranked> eligible = new ArrayList<>();
        subscriptions.forEach((memberId, subscription) -> {
            if (!subscription.topics().contains(topic)) {
                LOG.warn("group member {} does not subscribe to {}; it cannot lead", memberId, topic);
                return;
            }
            MemberInfo info = parse(subscription.userData(), memberId);
            if (info != null) {
                eligible.add(new Ranked(memberId, info));
            }
        });
        eligible.sort(Comparator.comparing(Ranked::info, RANKING).thenComparing(Ranked::memberId));
        Ranked best = partitionCount > 0 && !eligible.isEmpty() ? eligible.get(0) : null;
        if (partitionCount <= 0) {
            LOG.error("controller topic {} has no partitions (missing?): no controller can be elected", topic);
        }
        AssignmentInfo info = new AssignmentInfo(VERSION, best == null ? -1 : 0,
                eligible.stream().map(Ranked::info).toList());
        ByteBuffer userData = ByteBuffer.wrap(write(info));
        Map<String, Assignment> assignments = new HashMap<>();
        for (String memberId : subscriptions.keySet()) {
            List<TopicPartition> owned = best != null && best.memberId().equals(memberId)
                    ? List.of(new TopicPartition(topic, 0)) : List.of();
            assignments.put(memberId, new Assignment(owned, userData.duplicate()));
        }
        if (best != null) {
            LOG.info("controller assignment: leader node={} position={} priority={} among {} members", best.info()
                    .candidate().nodeId(), best.info().appliedPosition(), best.info().candidate().priority(),
                    eligible.size());
        }
        return assignments;
    }

    @Override
    public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
        AssignmentInfo info = parseAssignment(assignment.userData());
        member.assigned(info, assignment.partitions(), metadata.generationId());
    }

    private static MemberInfo parse(ByteBuffer userData, String memberId) {
        if (userData == null || !userData.hasRemaining()) {
            LOG.warn("group member {} sent no candidate; it cannot lead", memberId);
            return null;
        }
        try {
            return WIRE.readValue(bytes(userData), MemberInfo.class);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("group member {} sent an unreadable candidate; it cannot lead: {}", memberId, e.getMessage());
            return null;
        }
    }

    static AssignmentInfo parseAssignment(ByteBuffer userData) {
        if (userData == null || !userData.hasRemaining()) {
            return AssignmentInfo.none();
        }
        try {
            return WIRE.readValue(bytes(userData), AssignmentInfo.class);
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("unreadable controller assignment: {}", e.getMessage());
            return AssignmentInfo.none();
        }
    }

    static byte[] write(Object value) {
        try {
            return WIRE.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + value, e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
