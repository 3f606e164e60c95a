package io.meridian.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meridian.chaos.check.Findings.FaultWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberLossTest {
    private static final long EPOCH = 1_700_000_000_000L;

    private final FaultWindow memberKill = new FaultWindow("member-kill", "node-us-east-2", 10_000, 6_000, 12_000,
            3_000, 20_000, "kill -9 of 1 of 2 nodes of us-east");
    private final FaultWindow brokerKill = new FaultWindow("broker-kill", "broker-0", 30_000, 6_000, 4_000, 1_000, 0,
            "kill -9; random");

    @Test
    void shouldReportAnAutomaticFailoverOfTheRegionThatLostOneOfItsNodes() {
        List<String> examples = new ArrayList<>();
        MemberLoss.Marked marked = MemberLoss.mark(List.of(memberKill, brokerKill),
                List.of(new LogScan.Failover("automatic", "us-east", EPOCH + 21_500)), EPOCH, 50_000, examples);
        assertEquals(1, marked.failovers());
        assertTrue(marked.windows().get(0).detail().contains(MemberLoss.FAILED_OVER + ": automatic failover of "
                + "us-east at 21.5 s, 11.5 s after the member-kill of node-us-east-2"), marked.windows().get(0).detail());
        assertEquals(brokerKill, marked.windows().get(1));
        assertEquals(1, examples.size());
    }

    @Test
    void shouldAcceptManualFailoversOtherRegionsAndOtherWindows() {
        List<String> examples = new ArrayList<>();
        MemberLoss.Marked marked = MemberLoss.mark(List.of(memberKill, brokerKill), List.of(
                new LogScan.Failover("manual", "us-east", EPOCH + 12_000),      // the workload's operator
                new LogScan.Failover("automatic", "eu-west", EPOCH + 12_000),   // another region
                new LogScan.Failover("automatic", "us-east", EPOCH + 9_000),    // before the kill
                new LogScan.Failover("automatic", "us-east", EPOCH + 31_000)),  // in the broker-kill's window
                EPOCH, 50_000, examples);
        assertEquals(0, marked.failovers());
        assertEquals(List.of(memberKill, brokerKill), marked.windows());
        assertTrue(examples.isEmpty());
    }

    @Test
    void shouldTellTheRegionOfAKilledMember() {
        assertEquals("us-east", MemberLoss.regionOf("node-us-east-2"));
        assertEquals("ap-south", MemberLoss.regionOf("node-ap-south-1"));
    }
}
