package io.meridian.migration;

/** Another migration of the tenant is still active. */
public final class MigrationInProgressException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "migration_in_progress";
    public static final int STATUS = 409;

    public MigrationInProgressException(String tenant, String activeMigrationId, String state) {
        super(CODE, STATUS, tenant, activeMigrationId, "tenant '" + tenant + "' is already being migrated (migration "
                + activeMigrationId + ", " + state + "): wait for it to end or cancel it");
    }
}
