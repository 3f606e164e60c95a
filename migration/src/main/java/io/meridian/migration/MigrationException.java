package io.meridian.migration;

import java.util.Objects;

/**
 * The root of the migration errors: carries the tenant and migration it concerns, a stable {@link #code()} for
 * clients and scripts, and the HTTP {@link #status()} the admin API answers with. The message says what to do.
 * Conditions that may pass by themselves (an unhealthy or lagging target, a migration in progress) are
 * {@link RetriableMigrationException}s.
 */
public class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String tenant;
    private final String migrationId;
    private final String code;
    private final int status;

    public MigrationException(String code, int status, String tenant, String migrationId, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.status = status;
        this.tenant = tenant == null ? "" : tenant;
        this.migrationId = migrationId == null ? "" : migrationId;
    }

    /** A stable, lower-case error code, e.g. {@code target_lagging}. */
    public String code() {
        return code;
    }

    /** The HTTP status that fits: 400, 404 or 409. */
    public int status() {
        return status;
    }

    /** The tenant concerned, "" when unknown. */
    public String tenant() {
        return tenant;
    }

    /** The migration concerned, "" when none exists (yet). */
    public String migrationId() {
        return migrationId;
    }

    /** Whether the same request may succeed later without changes. */
    public boolean retriable() {
        return false;
    }
}
