package io.meridian.migration;

/** The tenant has no placement. */
public final class TenantNotFoundException extends MigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "tenant_not_found";
    public static final int STATUS = 404;

    public TenantNotFoundException(String tenant) {
        super(CODE, STATUS, tenant, "", "tenant '" + tenant
                + "' has no placement: create it first (PUT /admin/tenants/" + tenant + "/placement)");
    }
}
