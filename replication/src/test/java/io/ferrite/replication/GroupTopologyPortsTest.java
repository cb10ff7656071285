package io.ferrite.replication;

import io.aeron.cluster.client.ClusterEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(30)
class GroupTopologyPortsTest
{
    private static final Path KERNEL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @TempDir
    File tempDir;

    @Test
    void shouldReadTheKernelsRangeAndIgnoreWhatItCannotParse() throws IOException
    {
        final Path file = tempDir.toPath().resolve("range");
        Files.writeString(file, "32768\t60999\n");
        assertArrayEquals(new int[]{ 32768, 60999 }, GroupTopology.ephemeralPortRange(file));
        Files.writeString(file, "not a range");
        assertNull(GroupTopology.ephemeralPortRange(file), "garbage is no range");
        assertNull(GroupTopology.ephemeralPortRange(tempDir.toPath().resolve("missing")), "a missing file is no range");
    }

    @Test
    void shouldSpanTheStaleReadPortOfTheLastPossibleMember()
    {
        final GroupTopology topology = GroupTopology.local(3, 21000);
        assertEquals(21000 + 100 * 3 + 10 * (GroupTopology.MAX_MEMBERS - 1) + GroupTopology.STALE_READ_PORT,
            topology.highestPort(2));
    }

    @Test
    void shouldReportOverlapWithTheEphemeralRangeOnlyWhereThereIsOne() throws IOException
    {
        assumeTrue(Files.isReadable(KERNEL_RANGE), "needs Linux's " + KERNEL_RANGE);
        final int[] range = GroupTopology.ephemeralPortRange(KERNEL_RANGE);
        assumeTrue(null != range && range[0] > 2000, "kernel range: " + Files.readAllLines(KERNEL_RANGE));
        assertNull(GroupTopology.ephemeralOverlap(range[0] - 1000, range[0] - 1), "just below the range");
        assertArrayEquals(new int[]{ range[0], range[0] + 10 },
            GroupTopology.ephemeralOverlap(range[0] - 5, range[0] + 10));
    }

    @Test
    void shouldWarnAMemberWhosePortsLieInTheEphemeralRange() throws IOException
    {
        assumeTrue(Files.isReadable(KERNEL_RANGE), "needs Linux's " + KERNEL_RANGE);
        final int[] range = GroupTopology.ephemeralPortRange(KERNEL_RANGE);
        assumeTrue(null != range && range[1] - range[0] > 1000, "kernel range: " + Files.readAllLines(KERNEL_RANGE));
        final List<Throwable> reported = new ArrayList<>();
        final ReplicaNodeContext ctx = new ReplicaNodeContext()
            .memberId(0)
            .topology(GroupTopology.local(3, range[0]))
            .baseDir(tempDir)
            .errorHandler(reported::add);
        ctx.conclude();
        assertTrue(reported.stream().anyMatch((e) -> e instanceof ClusterEvent &&
            e.getMessage().contains("ephemeral range")), "expected an ephemeral-range warning, got " + reported);

        final List<Throwable> quiet = new ArrayList<>();
        new ReplicaNodeContext().memberId(0).topology(GroupTopology.local(3, 21000)).baseDir(tempDir)
            .errorHandler(quiet::add).conclude();
        assertTrue(quiet.stream().noneMatch((e) -> e.getMessage().contains("ephemeral range")),
            "the default port base is below the range: " + quiet);
    }

    @Test
    void shouldRefuseATestGroupWhosePortsLieInTheEphemeralRange() throws IOException
    {
        assumeTrue(Files.isReadable(KERNEL_RANGE), "needs Linux's " + KERNEL_RANGE);
        final int[] range = GroupTopology.ephemeralPortRange(KERNEL_RANGE);
        assumeTrue(null != range, "kernel range: " + Files.readAllLines(KERNEL_RANGE));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new TestGroup(tempDir, range[0]));
        assertTrue(ex.getMessage().contains("ephemeral range"), ex.getMessage());
    }
}
