package io.meridian.infra.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

/** Backend selection of {@link SharedTestCluster}; starts no cluster. */
class SharedTestClusterTest {

    private final String previous = System.getProperty(SharedTestCluster.BACKEND_PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (previous == null) {
            System.clearProperty(SharedTestCluster.BACKEND_PROPERTY);
        } else {
            System.setProperty(SharedTestCluster.BACKEND_PROPERTY, previous);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void testcontainersBackendSkipsInsteadOfFailingWithoutDocker() {
        assumeFalse(TestcontainersTestCluster.dockerAvailable(), "a Docker engine is available here");
        System.setProperty(SharedTestCluster.BACKEND_PROPERTY, SharedTestCluster.TESTCONTAINERS);
        assertThrows(TestAbortedException.class, SharedTestCluster::get);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void unknownBackendIsRejected() {
        System.setProperty(SharedTestCluster.BACKEND_PROPERTY, "kubernetes");
        assertThrows(IllegalArgumentException.class, SharedTestCluster::get);
    }
}
