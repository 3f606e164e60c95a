package io.meridian.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The node's registry keeps the Kafka Streams metrics an operator graphs and leaves out the per-store flood. */
class NodeRegistryTest {

    @Test
    void shouldLeaveOutPerStoreAndPerProcessorStreamsMetricsAndKeepTheRest() {
        PrometheusMeterRegistry registry = MeridianNode.newRegistry("us-east", "us-east-1");
        // Names as Micrometer's Kafka binder makes them: "kafka." + group without "-metrics" + "." + metric.
        gauge(registry, "kafka.stream.state.block.cache.usage", "task.id", "0_1");
        gauge(registry, "kafka.stream.processor.node.process.rate", "task.id", "0_1");
        gauge(registry, "kafka.stream.thread.process.rate", "thread.id", "t1");
        gauge(registry, "kafka.stream.task.process.rate", "task.id", "0_1");
        gauge(registry, "kafka.consumer.fetch.manager.records.lag.max", "client.id", "c1");
        gauge(registry, "meridian.applier.lag", "partition", "1");

        String scrape = registry.scrape();
        assertFalse(scrape.contains("kafka_stream_state_"), scrape);
        assertFalse(scrape.contains("kafka_stream_processor_node_"), scrape);
        assertTrue(scrape.contains("kafka_stream_thread_process_rate{"), scrape);
        assertTrue(scrape.contains("kafka_stream_task_process_rate{"), scrape);
        assertTrue(scrape.contains("kafka_consumer_fetch_manager_records_lag_max{"), scrape);
        assertTrue(scrape.contains("meridian_applier_lag{node=\"us-east-1\",partition=\"1\",region=\"us-east\"}"),
                scrape);
    }

    private static void gauge(PrometheusMeterRegistry registry, String name, String tag, String value) {
        Gauge.builder(name, () -> 1.0).tag(tag, value).register(registry);
    }
}
