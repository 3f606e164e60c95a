package io.meridian.migration;

import java.util.List;

/** The target region holds no copy of the tenant. */
public final class NotAReplicaException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "not_a_replica";
    public static final int STATUS = 400;

    public NotAReplicaException(String tenant, String region, List<String> replicas) {
        super(CODE, STATUS, tenant, "", "region " + region + " is not a replica of tenant '" + tenant + "' (replicas "
                + replicas + "): add " + region
                + " to the placement's replicas first, let it catch up, then migrate");
    }
}
