package io.meridian.bench.cost;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A process of the deployment whose CPU time the bench reads.
 *
 * @param name   region of a node, Kafka node name of a broker ({@code broker-0}, {@code controller})
 * @param config the node's or broker's properties file; null for the launcher and the bench
 */
public record WatchedProcess(Role role, String name, long pid, Path config) {

    /** What the process is, in the order the report lists them. */
    public enum Role {
        NODE("node"), BROKER("kafka"), LAUNCHER("launcher"), BENCH("bench");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** E.g. {@code node us-east}, {@code kafka broker-0}. */
    public String label() {
        return role.label() + " " + name;
    }

    public Optional<Path> configFile() {
        return Optional.ofNullable(config);
    }
}
