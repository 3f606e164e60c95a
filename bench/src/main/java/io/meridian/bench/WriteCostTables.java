package io.meridian.bench;

import io.meridian.bench.cost.TopicTraffic;
import io.meridian.bench.cost.WatchedProcess;
import io.meridian.bench.cost.WriteCost;
import java.util.List;

/**
 * Lays out the {@link WriteCost}s of a run as a {@link TableReport}: one summary row per measured window, then Kafka
 * records per topic, CPU per process and GC per JVM. Every row carries the 1-minute load average at the window's
 * close: these machines are shared, and it shows in the figures.
 */
final class WriteCostTables {
    static final String SUMMARY = "per acknowledged write";
    static final String RECORDS = "kafka records per acknowledged write, by topic";
    static final String CPU = "cpu per acknowledged write, by process";
    static final String GC = "gc pauses per acknowledged write, by jvm";

    private WriteCostTables() {
    }

    static TableReport of(List<WriteCost> costs) {
        TableReport report = new TableReport("cost per acknowledged write (same measured windows as above)");
        TableReport.Table summary = report.table(SUMMARY, "run", "writes", "seconds", "records", "markers", "bytes",
                "node cpu ms", "kafka cpu ms", "node gc us", "load open", "load close");
        TableReport.Table records = report.table(RECORDS, "run", "topic", "records/write", "markers/write",
                "bytes/write", "records", "markers", "load");
        TableReport.Table cpu = report.table(CPU, "run", "process", "pid", "cpu ms", "ms/write", "load");
        TableReport.Table gc = report.table(GC, "run", "jvm", "pause ms", "us/write", "source", "load");
        for (WriteCost cost : costs) {
            String run = cost.scenario() + "  " + cost.target();
            Double load = cost.loadAtClose();
            TopicTraffic total = cost.totalTraffic();
            boolean counted = !cost.topics().isEmpty();
            summary.row(run, cost.writes(), cost.seconds(), counted ? cost.perWrite(total.records()) : null,
                    counted ? cost.perWrite(total.markers()) : null, counted ? cost.perWrite(total.bytes()) : null,
                    cost.perWrite(cost.cpuMillis(WatchedProcess.Role.NODE)),
                    cost.perWrite(cost.cpuMillis(WatchedProcess.Role.BROKER)),
                    cost.perWrite(nodeGcMillis(cost)) * 1000, cost.loadAtOpen(), load);
            for (TopicTraffic topic : cost.topics()) {
                records.row(run, topic.topic(), cost.perWrite(topic.records()), cost.perWrite(topic.markers()),
                        cost.perWrite(topic.bytes()), topic.records(), topic.markers(), load);
            }
            if (counted) {
                records.row(run, TopicTraffic.TOTAL, cost.perWrite(total.records()), cost.perWrite(total.markers()),
                        cost.perWrite(total.bytes()), total.records(), total.markers(), load);
            }
            for (WriteCost.ProcessCpu process : cost.cpu()) {
                cpu.row(run, process.process().label(), process.process().pid(), process.millis(),
                        cost.perWrite(process.millis()), load);
            }
            for (WatchedProcess.Role role : List.of(WatchedProcess.Role.NODE, WatchedProcess.Role.BROKER)) {
                double millis = cost.cpuMillis(role);
                if (!Double.isNaN(millis)) {
                    cpu.row(run, role.label() + " total", null, millis, cost.perWrite(millis), load);
                }
            }
            for (WriteCost.JvmGc jvm : cost.gc()) {
                gc.row(run, jvm.jvm(), jvm.millis(), cost.perWrite(jvm.millis()) * 1000, jvm.source(), load);
            }
            cost.problems().forEach(problem -> report.note(run + ": " + problem));
        }
        report.note("records = data records produced in the window over all topics, read back read_uncommitted"
                + " (aborted ones count); markers = end-offset delta - records (transaction commit/abort markers)");
        report.note("bytes = payload as produced: serialized key + value + headers, before replication (x3 here) and"
                + " Kafka's batch overhead");
        report.note("everything the deployment did in the window counts (heartbeats, lag monitor, idle commits): the"
                + " cost per write at that throughput; raw-kafka's node figures are the nodes' idle cost");
        report.note("cpu = utime + stime from /proc/<pid>/stat (all threads, children not included); kafka = brokers"
                + " and controller; launcher = 'meridian local', which also runs ZooKeeper");
        report.note("gc = stop-the-world pause time: nodes' /metrics jvm_gc_pause_seconds_sum, this JVM's"
                + " GarbageCollectorMXBeans; on JDK 17 G1 neither includes remark/cleanup pauses");
        return report;
    }

    private static double nodeGcMillis(WriteCost cost) {
        List<WriteCost.JvmGc> nodes = cost.gc().stream()
                .filter(jvm -> jvm.jvm().startsWith(WatchedProcess.Role.NODE.label() + " ")).toList();
        return nodes.isEmpty() ? Double.NaN : nodes.stream().mapToDouble(WriteCost.JvmGc::millis).sum();
    }
}
