package io.meridian.migration;

/**
 * The target region skipped WAL records that retention deleted before it applied them: its copy is incomplete, so it
 * cannot become the tenant's primary until it is re-seeded. Not retriable: waiting does not fill the gap.
 */
public final class TargetNeedsReseedException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "target_needs_reseed";
    public static final int STATUS = 409;

    public TargetNeedsReseedException(String tenant, String migrationId, String region) {
        super(CODE, STATUS, tenant, migrationId, "target region " + region + " needs a reseed: it skipped WAL"
                + " records deleted by retention, so its copy of the tenant may be incomplete. Re-seed it (see"
                + " docs/operations.md) or choose another target");
    }
}
