package io.meridian.election;

import java.util.List;

import io.meridian.election.internal.KafkaLeaderElector;
import io.meridian.election.internal.ZooKeeperLeaderElector;
import io.meridian.infra.config.ElectionConfigs;
import java.util.Locale;
import java.util.Objects;

/** Creates {@link LeaderElector}s by backend name. */
public final class LeaderElectors {

    private LeaderElectors() {
    }

    /**
     * A new, not yet started elector.
     *
     * @param backend {@value ElectionConfigs#BACKEND_ZOOKEEPER} or {@value ElectionConfigs#BACKEND_KAFKA}
     *                (case-insensitive)
     * @throws IllegalArgumentException for another backend name, or settings the backend cannot work with
     */
    public static LeaderElector create(String backend, ElectionCandidate self, ElectionSettings settings) {
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(settings, "settings");
        String name = Objects.requireNonNull(backend, "backend").trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case ElectionConfigs.BACKEND_ZOOKEEPER -> new ZooKeeperLeaderElector(self, settings);
            case ElectionConfigs.BACKEND_KAFKA -> new KafkaLeaderElector(self, settings);
            default -> throw new IllegalArgumentException("unknown election backend '" + backend + "'; valid: "
                    + List.of(ElectionConfigs.BACKEND_ZOOKEEPER, ElectionConfigs.BACKEND_KAFKA));
        };
    }

}
