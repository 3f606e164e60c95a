package io.meridian.streams;

import io.meridian.infra.model.Placement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of the placement view, in tenant order: the placements that matched, and where the next page starts
 * (the last tenant looked at, exclusive), empty when the view holds nothing further. A page may hold fewer placements
 * than asked for while {@code next} is present: the scan behind a filter is bounded. Immutable.
 */
public record PlacementPage(List<Placement> placements, Optional<String> next) {
    public PlacementPage {
        placements = List.copyOf(placements);
        Objects.requireNonNull(next, "next");
    }
}
