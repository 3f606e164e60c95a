/**
 * Failover decisions: when a region's tenants move ({@link io.meridian.election.failover.FailoverPlanner}), where to
 * ({@link io.meridian.election.failover.FailoverPlan}), what is published about it
 * ({@link io.meridian.election.failover.FailoverEvent}) and when a region may not be failed over again
 * ({@link io.meridian.election.failover.InhibitWindows}). Pure and deterministic: no Kafka, no threads, time is
 * passed in. The controller executes a plan (one transaction per tenant: placement, fence, event).
 */
package io.meridian.election.failover;
