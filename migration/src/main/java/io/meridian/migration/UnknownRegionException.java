package io.meridian.migration;

import java.util.Collection;

/** The target region is not one of the configured regions. */
public final class UnknownRegionException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "unknown_region";
    public static final int STATUS = 400;

    public UnknownRegionException(String tenant, String region, Collection<String> known) {
        super(CODE, STATUS, tenant, "", "region '" + region + "' is unknown; the configured regions are " + known);
    }
}
