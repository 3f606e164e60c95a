package io.meridian.chaos.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.chaos.history.FaultEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverBudgetTest {
    private final FailoverBudget budget = new FailoverBudget(1_000, 5, 5_000, 6_000, 10_000, 10_000);

    @TempDir
    Path dir;

    @Test
    void shouldAddTheZooKeeperSessionOnlyWhenTheLostNodeHeldTheController() {
        assertEquals(10_000, budget.forFault(new FaultEvent(0, "node-kill", FaultEvent.INJECT, "node-us-east", 1,
                "kill -9; primary of t")));
        assertEquals(16_000, budget.forFault(new FaultEvent(0, "node-kill", FaultEvent.INJECT, "node-us-east", 1,
                "kill -9; primary of t; " + FailoverBudget.HELD_CONTROLLER)));
        assertEquals(16_000, budget.forFault(new FaultEvent(0, "controller-kill-at-migration", FaultEvent.INJECT,
                "node-us-east", 1, "kill -9 of the controller's node")));
    }

    @Test
    void shouldBudgetTheLossOfOneNodeOfSeveralAsTheApplierSessionAndTheRebalanceWait() {
        assertEquals(20_000, budget.forFault(new FaultEvent(0, "member-kill", FaultEvent.INJECT, "node-us-east-2", 1,
                "kill -9 of 1 of 2 nodes of us-east; owner of t's WAL partition in its primary region")));
        assertEquals(26_000, budget.forFault(new FaultEvent(0, "member-kill", FaultEvent.INJECT, "node-us-east-2", 1,
                "kill -9 of 1 of 2 nodes of us-east; owner; " + FailoverBudget.HELD_CONTROLLER)));
    }

    @Test
    void shouldHaveNoBudgetForFaultsThatAreNotTheLossOfANode() {
        assertEquals(0, budget.forFault(new FaultEvent(0, "broker-kill", FaultEvent.INJECT, "broker-1", 1, "")));
    }

    @Test
    void shouldReadTheBudgetFromANodesConfiguration() throws IOException {
        Path config = dir.resolve("us-east-2.properties");
        Files.writeString(config, """
                region=us-east
                node.id=us-east-2
                regions=us-east=http://127.0.0.1:8081,eu-west=http://127.0.0.1:8082,ap-south=http://127.0.0.1:8083
                http.port=8084
                advertised.url=http://127.0.0.1:8084
                kafka.bootstrap.servers=127.0.0.1:9092
                zookeeper.connect=127.0.0.1:2181
                zookeeper.session.timeout.ms=6000
                failover.leader.timeout.ms=5000
                routing.rebalance.wait.ms=7000
                """);
        FailoverBudget read = FailoverBudget.of(config);
        assertEquals(6_000, read.sessionMs());
        assertEquals(5_000, read.leaderTimeoutMs());
        assertEquals(7_000, read.rebalanceWaitMs());
        // The applier's consumer session (RegionStreams sets it; a node restarted after a crash waits it out)
        assertEquals(10_000, read.memberSessionMs());
    }
}
