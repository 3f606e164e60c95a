package io.meridian.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.infra.model.MigrationEvent;
import io.meridian.infra.serde.Json;
import io.meridian.infra.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code migrate watch} shows the failback events that share the migration log. */
class MigrationWatchTest {

    @Test
    void shouldPrintAFailbackEventWithItsActionAndRegions() {
        StringWriter out = new StringWriter();
        MigrationWatch watch = new MigrationWatch(new Printer(new PrintWriter(out), Printer.Format.TABLE),
                new PrintWriter(new StringWriter()), Optional.empty(), Optional.of("acme"));
        MigrationEvent.Failback pending = new MigrationEvent.Failback("", "acme", MigrationEvent.Failback.PENDING,
                "eu-west", "us-east", 7, "controller (automatic failback)", "an automatic failover moved it", 3,
                1_767_225_600_000L);
        byte[] value = Json.writeString(pending).getBytes(StandardCharsets.UTF_8);
        assertTrue(watch.accept(new ConsumerRecord<>(Topics.MIGRATIONS.name(), 0, 0, "acme".getBytes(
                StandardCharsets.UTF_8), value)));
        String printed = out.toString();
        assertTrue(printed.matches("(?s).*acme\\s+-\\s+failback\\s+pending\\s+eu-west -> us-east.*automatic failover"
                + " moved it.*"), printed);
    }
}
