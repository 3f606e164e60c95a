package io.meridian.migration;

/** The migration already switched the primary: it can no longer be cancelled. */
public final class AlreadySwitchedException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "already_switched";
    public static final int STATUS = 409;

    public AlreadySwitchedException(String tenant, String migrationId, String toRegion) {
        super(CODE, STATUS, tenant, migrationId, "migration " + migrationId + " already switched tenant '" + tenant
                + "' to " + toRegion + ": it cannot be cancelled; migrate the tenant back instead");
    }
}
