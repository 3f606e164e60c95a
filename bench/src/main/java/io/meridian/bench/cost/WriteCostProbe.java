package io.meridian.bench.cost;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures what acknowledged writes cost on a {@code meridian local} deployment: one {@link CostWindow} per measured
 * load window. Finds the deployment's processes once, at creation; without local processes (a remote cluster) only
 * the Kafka records and this JVM are measured. Thread-safe; its windows are not.
 */
public final class WriteCostProbe {
    private final String bootstrap;
    private final List<WatchedProcess> processes;
    private final ProcStat procStat;
    private final GcPauses gcPauses;

    private WriteCostProbe(String bootstrap, List<WatchedProcess> processes, HttpClient http) {
        this.bootstrap = bootstrap;
        this.processes = List.copyOf(processes);
        this.procStat = ProcStat.create();
        this.gcPauses = GcPauses.of(http, processes);
    }

    /** For the deployment of {@code dataDir} whose Kafka is at {@code bootstrap}; {@code http} reaches its nodes. */
    public static WriteCostProbe create(String bootstrap, Path dataDir, HttpClient http) {
        return new WriteCostProbe(bootstrap, LocalProcesses.find(dataDir), http);
    }

    /** The processes whose CPU time is read, for a progress line. */
    public List<WatchedProcess> processes() {
        return processes;
    }

    public CostWindow newWindow() {
        return new CostWindow(bootstrap, processes, procStat, gcPauses);
    }
}
