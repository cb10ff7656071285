package io.ferrite.replication;

/**
 * Test groups listen on fixed ports below the kernel's ephemeral range (32768-60999 on Linux by default): a port
 * inside it may already belong to an outgoing socket of an earlier test (an Aeron sender, a JDBC connection), and the
 * member then fails to bind it now and then. Tests share nothing else, so ranges may repeat between test classes.
 */
final class TestPorts
{
    private TestPorts()
    {
    }

    /**
     * Fail at once, and say why, when a test's ports reach into the ephemeral range.
     */
    static void requireOutsideEphemeralRange(final GroupTopology topology, final int... groups)
    {
        int highest = topology.portBase() + topology.memberCount() - 1;
        for (final int group : groups)
        {
            highest = Math.max(highest, topology.highestPort(group));
        }
        final int[] overlap = GroupTopology.ephemeralOverlap(topology.portBase(), highest);
        if (null != overlap)
        {
            throw new IllegalArgumentException("test ports " + topology.portBase() + "-" + highest + " reach into " +
                "the kernel's ephemeral range at " + overlap[0] + "-" + overlap[1] + ", where any outgoing socket " +
                "may hold them: give the test a port base below the range");
        }
    }
}
