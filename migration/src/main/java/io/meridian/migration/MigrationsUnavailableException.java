package io.meridian.migration;

/**
 * This node is the controller but has not rebuilt the migrations from {@code meridian.migrations} yet (it just took
 * over, or Kafka could not be read): retry in a moment. 503 {@code migrations_unavailable}.
 */
public final class MigrationsUnavailableException extends RetriableMigrationException {
    private static final long serialVersionUID = 1L;
    public static final String CODE = "migrations_unavailable";
    public static final int STATUS = 503;

    public MigrationsUnavailableException(String message) {
        super(CODE, STATUS, "", "", message);
    }
}
