package io.meridian.chaos.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meridian.chaos.history.FaultEvent;
import org.junit.jupiter.api.Test;

class FailoverBudgetTest {
    private final FailoverBudget budget = new FailoverBudget(1_000, 5, 5_000, 6_000);

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
    void shouldHaveNoBudgetForFaultsThatAreNotTheLossOfANode() {
        assertEquals(0, budget.forFault(new FaultEvent(0, "broker-kill", FaultEvent.INJECT, "broker-1", 1, "")));
    }
}
