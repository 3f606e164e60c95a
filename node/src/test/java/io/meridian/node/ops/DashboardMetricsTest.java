package io.meridian.node.ops;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.infra.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Dashboards and alert rules use exactly the meters declared in {@link MetricNames} (STYLE.md item 11): every
 * {@code meridian_*} series name in grafana/ and prometheus/ is one a Meridian node exports, and every declared meter
 * has a place on the dashboard.
 *
 * <p>The Prometheus name of a meter depends on its type (a counter gets {@code _total}, a timer {@code _seconds} and
 * {@code _count}/{@code _sum}/{@code _max}), which the name alone does not say: {@link #METERS} maps each constant to
 * its type and Prometheus base name, and must name every constant. The series names are then not guessed but taken
 * from a real {@link PrometheusMeterRegistry} scrape of meters registered with those names and types.
 */
class DashboardMetricsTest {
    /** Series names as they appear in PromQL: not preceded by a name character, so {@code meridian:...} is not one. */

    /** HISTOGRAM: a timer that publishes buckets ({@code _bucket}, for {@code histogram_quantile}). */
    enum Kind { GAUGE, COUNTER, TIMER, HISTOGRAM }

    record Meter(Kind kind, String prometheusName) {
    }

    /** Every MetricNames constant: its meter type and Prometheus base name (the name in the constant's Javadoc). */
    static final Map<String, Meter> METERS = Map.ofEntries(
            entry(MetricNames.REPLICATION_LAG_SECONDS, new Meter(Kind.GAUGE, "meridian_replication_lag_seconds")),
            entry(MetricNames.REPLICATION_LAG_ENTRIES, new Meter(Kind.GAUGE, "meridian_replication_lag_entries")),
            entry(MetricNames.REPLICATION_ENTRIES, new Meter(Kind.COUNTER, "meridian_replication_entries_total")),
            entry(MetricNames.REPLICATION_BYTES, new Meter(Kind.COUNTER, "meridian_replication_bytes_total")),
            entry(MetricNames.REPLICATION_CONFLICTS, new Meter(Kind.COUNTER, "meridian_replication_conflicts_total")),
            entry(MetricNames.REPLICATION_FOLLOWER_HEALTH,
                    new Meter(Kind.GAUGE, "meridian_replication_follower_health")),
            entry(MetricNames.APPLIER_RECORDS, new Meter(Kind.COUNTER, "meridian_applier_records_total")),
            entry(MetricNames.APPLIER_DEAD_LETTERS, new Meter(Kind.COUNTER, "meridian_applier_dead_letters_total")),
            entry(MetricNames.APPLIER_RESTORED_RECORDS,
                    new Meter(Kind.COUNTER, "meridian_applier_restored_records_total")),
            entry(MetricNames.REGION_NEEDS_RESEED, new Meter(Kind.GAUGE, "meridian_region_needs_reseed")),
            entry(MetricNames.REPLICATION_PAUSED, new Meter(Kind.GAUGE, "meridian_replication_paused")),
            entry(MetricNames.WAL_SIZE_BYTES, new Meter(Kind.GAUGE, "meridian_wal_size_bytes")),
            entry(MetricNames.SYNC_IN_PROGRESS, new Meter(Kind.GAUGE, "meridian_sync_in_progress")),
            entry(MetricNames.SYNC_DOCUMENTS, new Meter(Kind.COUNTER, "meridian_sync_documents_total")),
            entry(MetricNames.SYNC_BYTES, new Meter(Kind.COUNTER, "meridian_sync_bytes_total")),
            entry(MetricNames.SYNC_REMAINING_DOCUMENTS, new Meter(Kind.GAUGE, "meridian_sync_remaining_documents")),
            entry(MetricNames.SYNC_COMPLETED, new Meter(Kind.COUNTER, "meridian_sync_completed_total")),
            entry(MetricNames.MIGRATION_DURATION, new Meter(Kind.TIMER, "meridian_migration_duration_seconds")),
            entry(MetricNames.MIGRATION_TOTAL, new Meter(Kind.COUNTER, "meridian_migration_total")),
            entry(MetricNames.MIGRATION_WRITE_PAUSE, new Meter(Kind.TIMER, "meridian_migration_write_pause_seconds")),
            entry(MetricNames.MIGRATION_IN_PROGRESS, new Meter(Kind.GAUGE, "meridian_migration_in_progress")),
            entry(MetricNames.FAILBACK_PENDING, new Meter(Kind.GAUGE, "meridian_failback_pending")),
            entry(MetricNames.FAILBACK_TOTAL, new Meter(Kind.COUNTER, "meridian_failback_total")),
            entry(MetricNames.CONTROLLER_LEADER, new Meter(Kind.GAUGE, "meridian_controller_leader")),
            entry(MetricNames.CONTROLLER_EPOCH, new Meter(Kind.GAUGE, "meridian_controller_epoch")),
            entry(MetricNames.FAILOVER_TOTAL, new Meter(Kind.COUNTER, "meridian_failover_total")),
            entry(MetricNames.MIGRATION_OLDEST_AGE_SECONDS,
                    new Meter(Kind.GAUGE, "meridian_migration_oldest_age_seconds")),
            entry(MetricNames.WAL_RETENTION_SECONDS, new Meter(Kind.GAUGE, "meridian_wal_retention_seconds")),
            entry(MetricNames.KAFKA_BROKERS_ONLINE, new Meter(Kind.GAUGE, "meridian_kafka_brokers_online")),
            entry(MetricNames.KAFKA_BROKERS_OFFLINE, new Meter(Kind.GAUGE, "meridian_kafka_brokers_offline")),
            entry(MetricNames.KAFKA_PARTITIONS_UNDER_REPLICATED,
                    new Meter(Kind.GAUGE, "meridian_kafka_partitions_under_replicated")),
            entry(MetricNames.KAFKA_PARTITIONS_OFFLINE, new Meter(Kind.GAUGE, "meridian_kafka_partitions_offline")),
            entry(MetricNames.HEARTBEAT_ROUND_TRIP,
                    new Meter(Kind.HISTOGRAM, "meridian_heartbeat_round_trip_seconds")),
            entry(MetricNames.REPLICA_DIVERGENT_TENANTS,
                    new Meter(Kind.GAUGE, "meridian_replica_divergent_tenants")),
            entry(MetricNames.HTTP_REQUESTS, new Meter(Kind.HISTOGRAM, "meridian_http_requests_seconds")),
            entry(MetricNames.ROUTER_REDIRECTS, new Meter(Kind.COUNTER, "meridian_router_redirects_total")),
            entry(MetricNames.ROUTER_WRITES, new Meter(Kind.HISTOGRAM, "meridian_router_writes_seconds")),
            entry(MetricNames.ROUTER_APPLIER_DELAY, new Meter(Kind.GAUGE, "meridian_router_applier_delay_seconds")),
            entry(MetricNames.PLACEMENT_CACHE_GETS, new Meter(Kind.COUNTER, "meridian_placement_cache_gets_total")),
            entry(MetricNames.TENANTS, new Meter(Kind.GAUGE, "meridian_tenants")));

    @Test
    void shouldMapEveryDeclaredMeter() throws IllegalAccessException {
        Set<String> declared = new TreeSet<>();
        for (Field field : MetricNames.class.getDeclaredFields()) {
            int mod = field.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && field.getType() == String.class
                    && !field.getName().startsWith("TAG_")) {
                declared.add((String) field.get(null));
            }
        }
        assertEquals(declared, new TreeSet<>(METERS.keySet()), "DashboardMetricsTest.METERS must name every meter"
                + " of MetricNames with its type and Prometheus name (see the constant's Javadoc)");
    }

    @Test
    void shouldExportEveryMeterUnderItsDocumentedPrometheusName() {
        Map<String, Set<String>> series = exportedSeries();
        METERS.forEach((name, meter) -> {
            // A timer's family name is no series of its own: it exports <name>_count, _sum and _max.
            String expected = meter.prometheusName()
                    + (meter.kind() == Kind.TIMER ? "_count" : meter.kind() == Kind.HISTOGRAM ? "_bucket" : "");
            assertTrue(series.containsKey(expected), name + " (" + meter.kind() + ") is not exported as "
                    + meter.prometheusName() + " but as " + seriesOf(series, name));
        });
    }

    @Test
    void shouldUseOnlyDeclaredMetersInTheDashboard() {
        assertOnlyDeclared(OpsFiles.DASHBOARD);
    }

    @Test
    void shouldUseOnlyDeclaredMetersInTheAlertRulesAndTheirTests() {
        assertOnlyDeclared(OpsFiles.ALERT_RULES);
        assertOnlyDeclared(OpsFiles.ALERT_TESTS);
    }

    @Test
    void shouldShowEveryDeclaredMeterOnTheDashboard() {
        Set<String> used = QueriedSeries.in(OpsFiles.DASHBOARD);
        Map<String, Set<String>> series = exportedSeries();
        Set<String> missing = new TreeSet<>();
        METERS.forEach((name, meter) -> {
            if (series.entrySet().stream().noneMatch(s -> s.getValue().contains(name) && used.contains(s.getKey()))) {
                missing.add(name);
            }
        });
        assertTrue(missing.isEmpty(), "meters no query of " + OpsFiles.DASHBOARD + " shows: " + missing);
    }

    /**
     * Queries (every {@code expr}, {@code series}, {@code query}, {@code definition} string) may use only exported
     * series; prose anywhere in the file (descriptions, summaries) may also name a timer's family, e.g.
     * {@code meridian_router_writes_seconds}.
     */
    private static void assertOnlyDeclared(String file) {
        Set<String> exported = exportedSeries().keySet();
        Set<String> families = new TreeSet<>(exported);
        METERS.values().forEach(m -> families.add(m.prometheusName()));

        Set<String> inQueries = QueriedSeries.in(file);
        assertTrue(inQueries.size() >= 5, file + " queries Meridian meters: " + inQueries);
        Set<String> unknown = new TreeSet<>(inQueries);
        unknown.removeAll(exported);
        assertTrue(unknown.isEmpty(), file + " queries series no Meridian meter exports: " + unknown
                + ". Declare the meter in MetricNames (and METERS here), or fix the name. Exported: " + exported
                + ". Timers export _count, _sum and _max; _bucket only those of kind HISTOGRAM.");

        Set<String> anywhere = QueriedSeries.namesIn(OpsFiles.text(file));
        anywhere.removeAll(families);
        assertTrue(anywhere.isEmpty(), file + " names meters that do not exist: " + anywhere);
    }


    /**
     * Every series name a Meridian node exports, each with the Micrometer meter behind it: the meters of
     * {@link #METERS}, registered with their types in a Prometheus registry and scraped.
     */
    private static Map<String, Set<String>> exportedSeries() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, Meter> e : METERS.entrySet()) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try {
                String name = e.getKey();
                switch (e.getValue().kind()) {
                    case GAUGE -> Gauge.builder(name, () -> 1).register(registry);
                    case COUNTER -> Counter.builder(name).register(registry).increment();
                    case TIMER -> Timer.builder(name).register(registry).record(Duration.ofMillis(3));
                    case HISTOGRAM -> Timer.builder(name).serviceLevelObjectives(Duration.ofMillis(10))
                            .register(registry).record(Duration.ofMillis(3));
                    default -> throw new IllegalStateException(e.getValue().kind().toString());
                }
                for (String line : registry.scrape().split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String series = line.split("[{ ]", 2)[0];
                    out.computeIfAbsent(series, s -> new TreeSet<>()).add(name);
                }
            } finally {
                registry.close();
            }
        }
        return out;
    }

    private static Map<String, Set<String>> seriesOf(Map<String, Set<String>> series, String meter) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        series.forEach((s, meters) -> {
            if (meters.contains(meter)) {
                out.put(s, meters);
            }
        });
        return out;
    }
}
