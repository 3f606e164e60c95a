package io.meridian.migration;

/** The target region lags the tenant's WAL partition by more than the configured limit. */
public final class TargetLaggingException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "target_lagging";
    public static final int STATUS = 409;

    public TargetLaggingException(String tenant, String migrationId, String region, long lagEntries,
                                  long maxLagEntries) {
        super(CODE, STATUS, tenant, migrationId, "target region " + region + " lags " + lagEntries
                + " WAL entries behind, over the limit of " + maxLagEntries
                + " (migration.max.target.lag.entries): retry when it has caught up");
    }
}
