package io.meridian.migration;

/** 409 {@code failback_not_pending}: the tenant has no failback to trigger or cancel. */
public final class FailbackNotPendingException extends MigrationException {
    private static final long serialVersionUID = 1L;

    public FailbackNotPendingException(String tenant, String why) {
        super("failback_not_pending", 409, tenant, "", "tenant '" + tenant + "' has no failback to act on: " + why);
    }
}
