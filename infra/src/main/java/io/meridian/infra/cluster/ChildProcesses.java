package io.meridian.infra.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How the local launcher starts its child JVMs (brokers, region nodes). */
public final class ChildProcesses {
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ChildProcesses() {
    }

    /**
     * {@code command} in a session of its own where {@code setsid} exists: a Ctrl-C in the launcher's terminal then
     * reaches the launcher alone, which stops nodes first and the brokers after them, in order (when every process
     * gets the signal at once, brokers wait out their controlled shutdown against a controller that is gone). The
     * children watch the launcher's PID and exit if it dies. {@code setsid} execs in place: the PID stays the child's.
     */
    public static List<String> detached(List<String> command) {
        if (!Files.isExecutable(SETSID)) {
            return command;
        }
        List<String> detached = new ArrayList<>(command.size() + 1);
        detached.add(SETSID.toString());
        detached.addAll(command);
        return detached;
    }
}
