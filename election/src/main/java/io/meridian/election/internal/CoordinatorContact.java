package io.meridian.election.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Whether a group member still hears from its group coordinator: the {@code kafka} backend's quorum.
 *
 * <p>The classic consumer keeps its partitions while it cannot reach the coordinator, even after the coordinator
 * has evicted it, so the elector cannot wait for a revocation: it counts coordinator responses (heartbeat, join and
 * sync responses, taken from the consumer's metrics, plus rebalance callbacks) and declares contact lost when none
 * arrived for the {@code deadline} — slightly less than the session timeout, because the coordinator's own timer
 * started when it received the last heartbeat, before our response arrived. During a rebalance no heartbeats flow
 * (the join request is parked at the coordinator until every member rejoined), so the {@code rebalanceDeadline}
 * applies instead. Before the first contact there is none.
 *
 * <p>Time comes from the injected {@link Clock}. Not thread-safe: used on the elector's polling thread only.
 */
final class CoordinatorContact {
    private final Clock clock;
    private final long deadlineMs;
    private final long rebalanceDeadlineMs;

    private double lastResponses = Double.NaN;
    private long lastContactMs = Long.MIN_VALUE;
    private boolean rebalancing;

    CoordinatorContact(Clock clock, Duration deadline, Duration rebalanceDeadline) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.deadlineMs = deadline.toMillis();
        this.rebalanceDeadlineMs = rebalanceDeadline.toMillis();
        if (deadlineMs <= 0 || rebalanceDeadlineMs < deadlineMs) {
            throw new IllegalArgumentException("need 0 < deadline <= rebalanceDeadline, got " + deadline + " and "
                    + rebalanceDeadline);
        }
    }

    /** The coordinator answered (a rebalance callback ran). */
    void touch() {
        lastContactMs = clock.millis();
    }

    /**
     * The sum of the consumer's coordinator response counters; contact when it grew since the last observation.
     * NaN (metrics not found) is ignored.
     */
    void observeResponses(double total) {
        if (Double.isNaN(total)) {
            return;
        }
        if (!Double.isNaN(lastResponses) && total > lastResponses) {
            touch();
        }
        lastResponses = total;
    }

    /**
     * A join started: the member now waits for the coordinator to complete the rebalance. Sending is no proof of
     * contact, so the clock keeps running from the last response, against the longer deadline.
     */
    void rebalanceStarted() {
        rebalancing = true;
    }

    /** The rebalance completed (the coordinator answered with an assignment). */
    void rebalanceCompleted() {
        rebalancing = false;
        touch();
    }

    boolean hasContact() {
        if (lastContactMs == Long.MIN_VALUE) {
            return false;
        }
        long silentMs = clock.millis() - lastContactMs;
        return silentMs <= (rebalancing ? rebalanceDeadlineMs : deadlineMs);
    }

    /** Milliseconds since the last contact, or -1 if there never was one. */
    long silentMs() {
        return lastContactMs == Long.MIN_VALUE ? -1 : clock.millis() - lastContactMs;
    }
}
