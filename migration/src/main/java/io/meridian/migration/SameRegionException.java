package io.meridian.migration;

/** The target region is already the tenant's primary. */
public final class SameRegionException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "same_region";
    public static final int STATUS = 400;

    public SameRegionException(String tenant, String region) {
        super(CODE, STATUS, tenant, "", "tenant '" + tenant + "' already has its primary in " + region
                + ": nothing to migrate");
    }
}
