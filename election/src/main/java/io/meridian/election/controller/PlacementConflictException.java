package io.meridian.election.controller;

/**
 * A placement change was planned from an epoch that is not the tenant's current one (the planner's view lagged, or
 * another change came first). Nothing was written; plan again from the current placement.
 */
public final class PlacementConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String tenant;
    private final long currentEpoch;

    public PlacementConflictException(String tenant, long plannedEpoch, long currentEpoch) {
        super("the placement of tenant " + tenant + " was planned as epoch " + plannedEpoch + " but its current epoch is "
                + currentEpoch + " (another change came first): plan it again from the current placement");
        this.tenant = tenant;
        this.currentEpoch = currentEpoch;
    }

    public String tenant() {
        return tenant;
    }

    public long currentEpoch() {
        return currentEpoch;
    }
}
