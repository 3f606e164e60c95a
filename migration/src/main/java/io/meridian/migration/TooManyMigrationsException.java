package io.meridian.migration;

/**
 * The migration's source or target region already takes part in {@code migration.max.per.region} active migrations:
 * each one's switch and roll-back are controller transactions on one thread, so running more at once would lengthen
 * every tenant's write pause. Retry once some of them ended.
 */
public final class TooManyMigrationsException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "too_many_migrations";
    public static final int STATUS = 429;

    public TooManyMigrationsException(String tenant, String region, int active, int max) {
        super(CODE, STATUS, tenant, "", "region " + region + " already takes part in " + active
                + " active migration(s), the most migration.max.per.region allows (" + max + "): retry once some of"
                + " them ended");
    }
}
