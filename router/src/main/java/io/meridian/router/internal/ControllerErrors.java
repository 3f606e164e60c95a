package io.meridian.router.internal;

import io.meridian.election.controller.PlacementConflictException;
import io.meridian.election.ControllerFencedException;
import io.meridian.election.ControllerWriteException;
import io.meridian.election.controller.ControlPlane.NotControllerException;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * Turns what a {@link io.meridian.election.controller.ControlPlane} operation throws into the API's answers. Pure and
 * thread-safe.
 *
 * <ul>
 *   <li>{@link NotControllerException}, {@link ControllerFencedException} (or Kafka's
 *       {@link ProducerFencedException}): this node is not (or no longer) the controller; nothing was written →
 *       {@code 503 no_controller}.</li>
 *   <li>{@link PlacementConflictException}: the change was planned from an outdated epoch; nothing was written →
 *       {@code 409 placement_changed}.</li>
 *   <li>{@link ControllerWriteException}, {@link KafkaException}: Kafka did not commit the transaction; nothing was
 *       written → {@code 503 kafka_unavailable}.</li>
 * </ul>
 */
public final class ControllerErrors {
    private ControllerErrors() {
    }

    /** The answer for {@code error}, or empty when it is not a control plane failure the API knows. */
    public static Optional<ApiException> translate(RuntimeException error, String tenant) {
        if (isDeposed(error)) {
            return Optional.of(deposed(error, tenant));
        }
        if (error instanceof PlacementConflictException conflict) {
            return Optional.of(ApiException.of(ErrorCode.PLACEMENT_CHANGED, "the placement of tenant "
                    + conflict.tenant() + " changed while this change was planned (it is now at epoch "
                    + conflict.currentEpoch() + "); nothing was written: GET the placement and retry", tenant,
                    Map.of("epoch", conflict.currentEpoch()), error));
        }
        if (error instanceof ControllerWriteException || error instanceof KafkaException) {
            return Optional.of(ApiException.of(ErrorCode.KAFKA_UNAVAILABLE, "Kafka did not commit the controller's"
                    + " change (" + error.getMessage() + "); nothing changed: retry", tenant, Map.of(), error));
        }
        return Optional.empty();
    }

    /** Whether {@code error} says that this node is not (or no longer) the controller. */
    public static boolean isDeposed(Throwable error) {
        // Kafka's own fencing exception as well, should a control plane let it through unwrapped.
        return error instanceof NotControllerException || error instanceof ControllerFencedException
                || error instanceof ProducerFencedException;
    }

    /** {@code 503 no_controller}: this node stopped being the controller while it served the request. */
    public static ApiException deposed(RuntimeException error, String tenant) {
        return ApiException.of(ErrorCode.NO_CONTROLLER, "this node stopped being the controller while serving the"
                + " request (" + error.getMessage() + "); nothing was changed. A new controller is being elected:"
                + " retry after the Retry-After delay", tenant, Map.of(), error);
    }

    /** {@code 503 no_controller}: no node is known to be the controller. */
    public static ApiException noControllerKnown(String thisNode) {
        return ApiException.of(ErrorCode.NO_CONTROLLER, "no controller is known to node " + thisNode
                + ": an election is in progress. Retry after the Retry-After delay; GET /admin/replication/election"
                + " shows the election as this node sees it");
    }
}
