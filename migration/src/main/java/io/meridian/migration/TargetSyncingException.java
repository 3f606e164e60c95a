package io.meridian.migration;

/**
 * The target region is still filling the tenant from a snapshot (it is in the placement's {@code syncing}): its copy
 * is not complete yet. Retriable: once it has caught up the controller clears {@code syncing}.
 */
public final class TargetSyncingException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "target_syncing";
    public static final int STATUS = 409;

    public TargetSyncingException(String tenant, String migrationId, String region) {
        super(CODE, STATUS, tenant, migrationId, "target region " + region + " is still syncing the tenant from a"
                + " snapshot: wait until it has caught up (GET /admin/tenants/" + tenant + "/sync?region=" + region
                + ") and migrate then");
    }
}
