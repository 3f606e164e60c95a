package io.meridian.migration;

/** The target region is not healthy. */
public final class TargetUnhealthyException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "target_unhealthy";
    public static final int STATUS = 409;

    public TargetUnhealthyException(String tenant, String migrationId, String region, String health) {
        super(CODE, STATUS, tenant, migrationId, "target region " + region + " is " + health
                + ", not healthy: wait until its nodes heartbeat again, then retry");
    }
}
