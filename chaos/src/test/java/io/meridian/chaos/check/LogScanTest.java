package io.meridian.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.election.failover.FailoverEvent;
import io.meridian.election.failover.FailoverTrigger;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class LogScanTest {

    @Test
    void shouldReadTheFailoverEventsOfTheControllerTopic() throws Exception {
        FailoverEvent automatic = new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.AUTOMATIC, "us-east",
                FailoverEvent.NO_TARGET, false, List.of("eu-west", "ap-south"), 3, 1_000, 1_250, 250, List.of());
        FailoverEvent manual = new FailoverEvent(FailoverEvent.TYPE, FailoverTrigger.MANUAL, "eu-west", "us-east",
                true, List.of(), 3, 2_000, 2_100, 100, List.of());
        LogScan scan = LogScan.of(List.of(
                new ConsumerRecord<>(Topics.CONTROLLER.name(), 0, 0, "us-east", Json.MAPPER.writeValueAsBytes(automatic)),
                new ConsumerRecord<>(Topics.CONTROLLER.name(), 0, 1, "x", "{\"type\":\"election\"}".getBytes()),
                new ConsumerRecord<>(Topics.CONTROLLER.name(), 0, 2, "eu-west", Json.MAPPER.writeValueAsBytes(manual))));
        assertEquals(List.of(new LogScan.Failover("automatic", "us-east", 1_000),
                new LogScan.Failover("manual", "eu-west", 2_000)), scan.failovers());
    }
}
