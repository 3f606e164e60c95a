package io.meridian.infra.cluster;

/** How the KRaft metadata quorum of a {@link KafkaProcessCluster} is laid out. */
public enum ControllerLayout {
    /** One controller-only process plus N broker-only processes. */
    DEDICATED,
    /** N processes that are each broker and controller (static quorum of N voters). */
    COMBINED
}
