package io.ferrite.replication;

import io.aeron.driver.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nemesis on a lossy, stalling network: every member's media driver drops {@link #LOSS_RATE} of the UDP frames
 * it sends and receives, data and control (status messages, NAKs), and stalls its driver thread for 1-30 ms on
 * {@link #STALL_PROBABILITY} of the data frames it receives (head-of-line delay and jitter; see
 * {@link NetworkFaults}). {@code tc netem} would be the usual tool, but this kernel has none
 * ({@code tc qdisc add dev lo root netem loss 2%}: "Specified qdisc kind is unknown"), so the faults come from
 * Aeron's debug channel endpoints, installed in the member processes only: the test JVM's clients run a clean
 * driver, and their traffic is lossy through the members' endpoints in both directions.
 * <p>
 * Pipelined clients run over every operation while a short seeded schedule runs: holds (the lossy network alone)
 * mixed with kills and pauses of the leader or a follower. The properties are the nemesis's: no history
 * non-linearizable, no acknowledged write lost, no two members' stores different at one applied position, every
 * member back in the group after every fault; and frames were really dropped and stalled. The seed (schedule,
 * workload and loss) is printed; set it with {@code -Dferrite.test.nemesis.seed=...}; the rates with
 * {@code -Dferrite.test.network.loss.rate=0.1}, {@code -Dferrite.test.network.stall.probability=0.01}, the number of
 * faults with {@code -Dferrite.test.nemesis.faults=...}.
 */
@Tag("system")
class LossyNetworkSystemTest
{
    static final double LOSS_RATE = Double.parseDouble(System.getProperty(NetworkFaults.LOSS_RATE_PROP_NAME, "0.05"));
    static final double STALL_PROBABILITY =
        Double.parseDouble(System.getProperty(NetworkFaults.STALL_PROBABILITY_PROP_NAME, "0.003"));
    static final int STALL_MAX_MS = 30;
    static final int FAULTS = 8;

    @TempDir
    File tempDir;

    @Test
    @Timeout(300)
    void shouldStayLinearizableAndConvergeUnderPacketLossAndDelay() throws Exception
    {
        assertNull(System.getProperty(Configuration.RECEIVE_CHANNEL_ENDPOINT_SUPPLIER_PROP_NAME),
            "the test JVM's own driver must not be lossy");
        final File stats = new File(tempDir, "network-stats");
        stats.mkdirs();
        final long start = System.nanoTime();
        try (NemesisHarness harness = new NemesisHarness(tempDir, 22500, null))
        {
            NetworkFaults.properties(harness.seed(), LOSS_RATE, STALL_PROBABILITY, STALL_MAX_MS, stats)
                .forEach(harness::memberProperty);
            try
            {
                harness.run(List.of(Nemesis.Kind.HOLD, Nemesis.Kind.HOLD, Nemesis.Kind.KILL_LEADER,
                    Nemesis.Kind.KILL_FOLLOWER, Nemesis.Kind.PAUSE_LEADER, Nemesis.Kind.PAUSE_FOLLOWER),
                    Nemesis.faultCount(FAULTS));
            }
            finally
            {
                System.out.println("NEMESIS-NETWORK seed=" + harness.seed() + " loss-rate=" + LOSS_RATE +
                    " stall-probability=" + STALL_PROBABILITY + " stall-max-ms=" + STALL_MAX_MS + " " +
                    NetworkFaults.totals(stats) + " wall-ms=" +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
        final Map<String, Long> totals = NetworkFaults.totals(stats);
        final long dropped = totals.get("receive-data-dropped") + totals.get("send-data-dropped");
        final long controlDropped = totals.get("receive-control-dropped") + totals.get("send-control-dropped");
        assertTrue(LOSS_RATE <= 0 || dropped > 0 && controlDropped > 0,
            "the members' lossy endpoints dropped nothing: " + totals);
        assertTrue(STALL_PROBABILITY <= 0 || totals.get("stalls") > 0,
            "the members' endpoints never stalled: " + totals);
    }
}
