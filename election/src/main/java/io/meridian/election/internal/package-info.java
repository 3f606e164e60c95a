/**
 * Election backends and their plumbing; not API. {@code AbstractLeaderElector} holds the lifecycle, the state machine
 * and the exact listener semantics; {@code ZooKeeperLeaderElector} (Curator latch + epoch znode + presence) and
 * {@code KafkaLeaderElector} (consumer group + {@code ControllerAssignor}) only report what their coordination
 * service says.
 */
package io.meridian.election.internal;
