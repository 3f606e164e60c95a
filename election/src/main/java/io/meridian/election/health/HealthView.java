package io.meridian.election.health;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Region health as a node's monitor sees it, for the controller: {@link HeartbeatService} in production, a fake in
 * tests. Thread-safe.
 */
public interface HealthView {

    HealthSnapshot snapshot();

    /** The heartbeat interval: the controller's duties run at this pace. */
    Duration interval();

    /** {@code listener} hears every region-health change. */
    void addChangeListener(Consumer<RegionHealthChange> listener);
}
