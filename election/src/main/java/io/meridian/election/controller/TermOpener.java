package io.meridian.election.controller;

import io.meridian.election.ControllerProducer;
import io.meridian.election.LeaderElector;
import io.meridian.infra.clock.HybridLogicalClock;
import io.meridian.infra.config.MeridianConfig;
import java.time.Duration;

/** Opens a controller term: its fenced writer and the placements committed so far. */
@FunctionalInterface
public interface TermOpener {

    /**
     * Opens the term of {@code epoch}; {@code onFenced} runs when a newer controller (or a zombie) fences it.
     *
     * @throws RuntimeException when the writer cannot be opened or the placements cannot be read: retried later
     */
    PlacementPublisher open(long epoch, Runnable onFenced);

    /** The production opener: {@link ControllerProducer} with the shared transactional id, then the ledger. */
    static TermOpener kafka(MeridianConfig config, LeaderElector elector, HybridLogicalClock hlc, Duration timeout) {
        return (epoch, onFenced) -> {
            ControllerProducer producer = ControllerProducer.forLeader(elector, config.kafkaClientProperties(),
                    ControllerProducer.DEFAULT_TRANSACTIONAL_ID, timeout, (fencedEpoch, cause) -> onFenced.run());
            try {
                // After initTransactions no earlier controller can commit: the ledger read now is the whole truth.
                return new PlacementPublisher(producer, PlacementLedger.read(config.kafkaClientProperties(),
                        "meridian-controller-ledger-" + config.nodeId(), timeout), hlc);
            } catch (RuntimeException e) {
                producer.close();
                throw e;
            }
        };
    }
}
