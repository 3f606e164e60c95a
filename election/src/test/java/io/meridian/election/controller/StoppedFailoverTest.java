package io.meridian.election.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerTransaction;
import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverPlanner;
import io.meridian.election.failover.FailoverPolicy;
import io.meridian.election.failover.InhibitWindows;
import io.meridian.election.health.HealthSnapshot;
import io.meridian.election.health.RegionHealth;
import io.meridian.election.health.RegionStatus;
import io.meridian.infra.model.ConflictStrategy;
import io.meridian.infra.model.Placement;
import io.meridian.infra.model.Position;
import io.meridian.infra.model.ReplicationMode;
import io.meridian.infra.model.WriteState;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * A region's failover written in transactions of several parts each, whose controller is fenced between two
 * transactions: the next controller reads the parts that committed (as {@link ControllerLog} folds them) and moves the
 * tenants the failover left in the dead region at once, although the first parts opened the region's inhibit window.
 */
class StoppedFailoverTest {
    private static final long NOW = 10_000_000L;
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WINDOW = FailoverPolicy.defaults(LEADER_TIMEOUT).inhibitWindow();
    private static final int TENANTS = FailoverDuty.TRANSACTION_TENANTS + 200;
    /** The event parts the first transaction carries. */
    private static final int FIRST_PARTS = FailoverDuty.TRANSACTION_TENANTS / FailoverDuty.PART_TENANTS;

    @Test
    void shouldFinishAFailoverWhoseControllerWasFencedBetweenParts() throws Exception {
        Log log = new Log();
        for (int i = 0; i < TENANTS; i++) {
            String tenant = String.format("t-%05d", i);
            log.placements.put(tenant, new Placement(tenant, "us-east", List.of("us-east", "eu-west"), 4,
                    WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        }

        // The first controller commits the first part, then is fenced before the second.
        FailoverDuty first = duty(NOW, window -> InhibitWindows.empty(window));
        first.onActivated(log.term(7, 1));
        assertThrows(ControllerFencedException.class, () -> first.tick(NOW));
        first.onDeactivated();
        assertEquals(FIRST_PARTS, log.events.size(), "the first transaction's parts committed");
        assertEquals(FailoverDuty.TRANSACTION_TENANTS, primariesIn("eu-west", log));
        assertEquals(200, primariesIn("us-east", log), "the second part's tenants are still in the dead region");

        // The next controller rebuilds the inhibit windows from the committed part, as ControllerLog does.
        FailoverDuty next = duty(NOW + 1_000, window -> {
            InhibitWindows windows = InhibitWindows.empty(window);
            for (JsonNode value : log.events) {
                windows = windows.withEvent(read(value));
            }
            return windows;
        });
        next.onActivated(log.term(8, Integer.MAX_VALUE));
        next.tick(NOW + 1_000);

        assertEquals(TENANTS, primariesIn("eu-west", log), "every tenant left the dead region");
        FailoverEvent finishing = read(log.events.get(log.events.size() - 1));
        assertEquals(8, finishing.controllerEpoch());
        assertEquals(200, finishing.tenants().size());

        // Once finished, the window holds again: a tenant placed there later stays until the window ends.
        log.placements.put("late", new Placement("late", "us-east", List.of("us-east", "eu-west"), 1,
                WriteState.ACTIVE, ConflictStrategy.LWW, ReplicationMode.SINGLE_PRIMARY));
        next.tick(NOW + 1_000);
        assertEquals("us-east", log.placements.get("late").primary());
        assertEquals(FIRST_PARTS + 1, log.events.size(), "no other failover inside the window");
    }

    private static FailoverEvent read(JsonNode value) {
        try {
            return Json.MAPPER.treeToValue(value, FailoverEvent.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static long primariesIn(String region, Log log) {
        return log.placements.values().stream().filter(p -> p.primary().equals(region)).count();
    }

    private static FailoverDuty duty(long now, Function<Duration, InhibitWindows> recent) {
        return new FailoverDuty(new FailoverPlanner(FailoverPolicy.defaults(LEADER_TIMEOUT), t -> 0), true, WINDOW,
                (window, at) -> recent.apply(window), "node-a", new SimpleMeterRegistry(),
                Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
    }

    /** The committed placements and failover events, shared by successive controller terms. */
    private static final class Log {
        final Map<String, Placement> placements = new TreeMap<>();
        final List<JsonNode> events = new ArrayList<>();

        /** A term whose producer is fenced after {@code commits} placement transactions. */
        ControllerContext term(long epoch, int commits) {
            return new Term(epoch, commits);
        }

        private final class Term implements ControllerContext {
            private final long epoch;
            private int commitsLeft;

            Term(long epoch, int commits) {
                this.epoch = epoch;
                this.commitsLeft = commits;
            }

            @Override
            public long epoch() {
                return epoch;
            }

            @Override
            public List<Placement> placements() {
                return List.copyOf(placements.values());
            }

            @Override
            public Optional<Placement> placement(String tenant) {
                return Optional.ofNullable(placements.get(tenant));
            }

            @Override
            public HealthSnapshot health() {
                Map<Integer, Long> applied = Map.of(0, 1_000L);
                return HealthSnapshot.of(NOW, List.of(
                        new RegionStatus("us-east", RegionHealth.UNHEALTHY, NOW - 60_000, false,
                                OptionalLong.of(60_000), 20, 0, 1_000, NOW + 1_000, Set.of("us-east-1"), Map.of(),
                                Map.of("eu-west", Set.of("eu-west-1"))),
                        new RegionStatus("eu-west", RegionHealth.HEALTHY, 0, false, OptionalLong.of(100), 0, 20, 1_000,
                                NOW + 1_000, Set.of("eu-west-1"), applied, Map.of())));
            }

            @Override
            public int walPartition(String tenant) {
                return 0;
            }

            @Override
            public Position publishPlacement(Placement placement, String reason,
                                             Function<Position, Consumer<ControllerTransaction>> alsoWrite) {
                return publishPlacements(List.of(placement), reason, fences -> alsoWrite.apply(fences.get(0)))
                        .get(0);
            }

            @Override
            public List<Position> publishPlacements(List<Placement> batch, String reason,
                                                    Function<List<Position>, Consumer<ControllerTransaction>> also) {
                if (commitsLeft-- <= 0) {
                    throw new ControllerFencedException("fenced by a newer controller", epoch, null);
                }
                List<Position> fences = batch.stream().map(p -> new Position(0, p.epoch())).toList();
                List<JsonNode> sent = new ArrayList<>();
                also.apply(fences).accept(new Tx(epoch, sent));
                batch.forEach(p -> placements.put(p.tenant(), p));  // committed: placements and events together
                events.addAll(sent);
                return fences;
            }

            @Override
            public void inTransaction(Consumer<ControllerTransaction> body) {
                List<JsonNode> sent = new ArrayList<>();
                body.accept(new Tx(epoch, sent));
                events.addAll(sent);
            }

            @Override
            public void runSoon(Runnable task) {
                task.run();
            }
        }
    }

    /** Keeps the failover events a transaction sends. */
    private record Tx(long epoch, List<JsonNode> sent) implements ControllerTransaction {
        @Override
        public <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value) {
            if (value instanceof JsonNode json && FailoverEvent.TYPE.equals(json.path("type").asText())) {
                sent.add(json);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
