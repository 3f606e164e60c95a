/**
 * Controller election, the public API: {@link io.meridian.election.LeaderElector} (created by
 * {@link io.meridian.election.LeaderElectors} for the {@code zookeeper} or {@code kafka} backend, configured by
 * {@link io.meridian.infra.config.MeridianConfig}), its {@link io.meridian.election.ElectionState} machine, listeners and
 * admin {@link io.meridian.election.ElectionSnapshot}, and {@link io.meridian.election.ControllerProducer}, the fenced,
 * epoch-stamping way the elected controller writes to Kafka.
 *
 * <p>How it fits together: a node starts an elector; on {@code onElected(epoch)} it opens a
 * {@code ControllerProducer} for that epoch (which fences every earlier controller inside Kafka) and starts the
 * controller duties; on {@code onDeposed}, or when the producer reports fencing, it stops them at once. A node whose
 * elector reports no quorum stops accepting writes. Backends live in {@code io.meridian.election.internal}.
 */
package io.meridian.election;
