/**
 * Internals of the migration executor: the per-term state machine
 * ({@link io.meridian.migration.internal.MigrationRun}), the fold of the event log ({@link io.meridian.migration.internal.MigrationBook}), validation and planning, metrics,
 * and what is read from Kafka ({@link io.meridian.migration.internal.MigrationSource}). Not an API: may change freely.
 */
package io.meridian.migration.internal;
