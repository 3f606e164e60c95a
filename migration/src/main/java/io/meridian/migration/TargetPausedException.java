package io.meridian.migration;

/**
 * The operator paused the target region's replication (maintenance): its applier does not apply the WAL, so it could
 * never drain the pause fence and must not become a primary. Not retriable by waiting: it passes only when the
 * operator resumes the region ({@code meridianctl region resume}).
 */
public final class TargetPausedException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "target_paused";
    public static final int STATUS = 409;

    public TargetPausedException(String tenant, String migrationId, String region) {
        super(CODE, STATUS, tenant, migrationId, "target region " + region + " has its replication paused for"
                + " maintenance, so it cannot catch up and become the primary: resume it (meridianctl region resume "
                + region + ") and let it catch up, or choose another target");
    }
}
