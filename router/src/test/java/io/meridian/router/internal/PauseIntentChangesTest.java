package io.meridian.router.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.RegionPause;
import io.meridian.infra.regions.KafkaRegionPauses;
import io.meridian.infra.testkit.SharedTestCluster;
import io.meridian.infra.testkit.TestCluster;
import io.meridian.infra.topics.TopicProvisioner;
import io.meridian.infra.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pause intents changed through two nodes on real brokers: the second node decides from what the first published,
 * not from a view that has not read it yet (region pauses and the automatic-failover pause share this path).
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PauseIntentChangesTest {
    private final TestCluster cluster = SharedTestCluster.get();

    @Test
    void shouldAnswerARepeatedPauseUnchangedWhicheverNodeTookTheFirst() throws Exception {
        try (Admin admin = cluster.admin()) {
            new TopicProvisioner(admin).provision(List.of(Topics.REGIONS));
        }
        try (KafkaRegionPauses first = new KafkaRegionPauses(cluster.clientConfig(), "intents-first");
             KafkaRegionPauses second = new KafkaRegionPauses(cluster.clientConfig(), "intents-second")) {
            first.start(Duration.ofSeconds(30));
            second.start(Duration.ofSeconds(30));
            PauseIntentChanges atFirst = new PauseIntentChanges(first, "node-1", Clock.systemUTC());
            PauseIntentChanges atSecond = new PauseIntentChanges(second, "node-2", Clock.systemUTC());
            for (int i = 0; i < 10; i++) {
                // A key of its own per round: each round asks whether the second node saw a brand-new intent.
                String key = cluster.uniqueName("intent").replaceAll("[^a-z0-9-]", "-");
                PauseIntentChanges.Outcome paused = set(atFirst, key, true, "round " + i);
                assertTrue(paused.changed() && paused.intent().paused(), "round " + i + ": " + paused);

                PauseIntentChanges.Outcome repeated = set(atSecond, key, true, "again");
                assertFalse(repeated.changed(), "round " + i + ": the second node saw the first one's pause");
                assertEquals("round " + i, repeated.intent().reason(), "the first pause's reason is kept");
                assertEquals("node-1", repeated.intent().requestedBy());

                PauseIntentChanges.Outcome resumed = set(atSecond, key, false, "");
                assertTrue(resumed.changed() && !resumed.intent().paused(), "round " + i + ": " + resumed);
                assertFalse(set(atFirst, key, false, "").changed(), "round " + i + ": resumed already");
            }
        }
    }

    @Test
    void shouldPublishNothingWhenTheCheckRefuses() throws Exception {
        try (KafkaRegionPauses pauses = new KafkaRegionPauses(cluster.clientConfig(), "intents-refused")) {
            pauses.start(Duration.ofSeconds(30));
            PauseIntentChanges changes = new PauseIntentChanges(pauses, "node-1", Clock.systemUTC());
            String key = cluster.uniqueName("refused").replaceAll("[^a-z0-9-]", "-");
            CompletionException refused = assertThrows(CompletionException.class, () -> changes.set(key, true, "",
                    "region " + key, Map.of(), () -> {
                        throw ApiException.of(ErrorCode.REGION_HAS_PRIMARIES, "refused (test)");
                    }).join());
            assertTrue(refused.getCause() instanceof ApiException, refused.toString());
            pauses.caughtUp().get(30, TimeUnit.SECONDS);
            assertFalse(pauses.state(key).paused(), "nothing was published");
        }
    }

    private static PauseIntentChanges.Outcome set(PauseIntentChanges changes, String key, boolean paused,
                                                  String reason) throws Exception {
        return changes.set(key, paused, reason, "region " + key, Map.of(), () -> { }).get(30, TimeUnit.SECONDS);
    }
}
