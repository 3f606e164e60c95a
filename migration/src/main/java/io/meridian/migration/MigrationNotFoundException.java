package io.meridian.migration;

/** No migration has this id. */
public final class MigrationNotFoundException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "migration_not_found";
    public static final int STATUS = 404;

    public MigrationNotFoundException(String migrationId) {
        super(CODE, STATUS, "", migrationId, "no migration '" + migrationId + "'");
    }
}
