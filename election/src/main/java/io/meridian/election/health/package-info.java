/**
 * Region health: the heartbeats nodes publish on {@code meridian.heartbeats}, the per-region
 * {@link io.meridian.election.health.RegionHealth} state machine, and the
 * {@link io.meridian.election.health.RegionHealthMonitor} that turns heartbeats and the passing of time into state
 * changes. Everything here is pure and deterministic: no Kafka, no threads, time is always passed in.
 */
package io.meridian.election.health;
