package io.meridian.migration;

/** A migration refused for a condition that may pass by itself: retry later with the same request. */
public abstract class RetriableMigrationException extends MigrationException {
    private static final long serialVersionUID = 1L;

    protected RetriableMigrationException(String code, int status, String tenant, String migrationId, String message) {
        super(code, status, tenant, migrationId, message);
    }

    @Override
    public final boolean retriable() {
        return true;
    }
}
