/**
 * Tenant migration between regions: {@link io.meridian.migration.Migrations} is the API (implemented by
 * {@link io.meridian.migration.MigrationExecutor}, a controller duty), {@link io.meridian.migration.Migration} a
 * migration as the event log {@code meridian.migrations} says it is, {@link io.meridian.migration.MigrationException}
 * and its subclasses the errors with stable codes. The state machine's steps live in {@code internal}.
 */
package io.meridian.migration;
