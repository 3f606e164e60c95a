package io.meridian.router.internal;

import io.meridian.infra.control.PlacementPublisher;
import io.meridian.infra.model.Placement;

/**
 * Publishes a placement change (placement + fence in one Kafka transaction). Production uses
 * {@link PlacementPublisher}; throws {@link PlacementPublisher.PlacementPublishException} when Kafka did not take it.
 */
@FunctionalInterface
public interface PlacementWriter {
    void publish(Placement placement, String reason);

    static PlacementWriter of(PlacementPublisher publisher) {
        return publisher::publish;
    }
}
