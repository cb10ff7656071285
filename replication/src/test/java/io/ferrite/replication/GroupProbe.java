package io.ferrite.replication;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Polls a group's members through their counters ({@link ClusterStatus}) for fault tests: is every member back in
 * the group, who leads, and do the members' store digests agree at equal applied positions.
 */
final class GroupProbe
{
    private GroupProbe()
    {
    }

    /**
     * The leader's member id, or -1 unless exactly one member leads.
     */
    static int leader(final GroupTopology topology, final int group)
    {
        int leader = -1;
        for (final ClusterStatus.MemberStatus status : ClusterStatus.read(topology, group))
        {
            if ("LEADER".equals(status.role()))
            {
                if (leader >= 0)
                {
                    return -1;
                }
                leader = status.member();
            }
        }
        return leader;
    }

    /**
     * Wait until every member is back in the group: one leader, the others followers, no election under way, and
     * every member's commit position at least the leader's when that state was first seen (so each has caught up).
     *
     * @return the leader's member id.
     */
    static int awaitHealthy(final GroupTopology topology, final int group, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        long target = -1;
        List<ClusterStatus.MemberStatus> statuses = ClusterStatus.read(topology, group);
        while (true)
        {
            final int leader = formed(statuses);
            if (leader >= 0)
            {
                if (target < 0)
                {
                    target = statuses.get(leader).commitPosition();
                }
                final long lowest = statuses.stream().mapToLong(ClusterStatus.MemberStatus::commitPosition).min()
                    .orElse(-1);
                if (lowest >= target)
                {
                    return leader;
                }
            }
            else
            {
                target = -1;
            }
            if (System.currentTimeMillis() > deadline)
            {
                fail("members not all back in group " + group + " within " + timeoutMs + " ms:\n" +
                    ClusterStatus.format(statuses));
            }
            pause(50);
            statuses = ClusterStatus.read(topology, group);
        }
    }

    private static int formed(final List<ClusterStatus.MemberStatus> statuses)
    {
        int leader = -1;
        for (final ClusterStatus.MemberStatus status : statuses)
        {
            if (!status.reachable() || !"CLOSED".equals(status.electionState()))
            {
                return -1;
            }
            if ("LEADER".equals(status.role()))
            {
                if (leader >= 0)
                {
                    return -1;
                }
                leader = status.member();
            }
            else if (!"FOLLOWER".equals(status.role()))
            {
                return -1;
            }
        }
        return leader;
    }

    /**
     * Wait until every member publishes a store digest at one and the same applied position (the group must be
     * quiet), and return them.
     */
    static List<ClusterStatus.StoreDigest> awaitDigests(
        final GroupTopology topology, final int group, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        List<ClusterStatus.StoreDigest> digests = ClusterStatus.readDigests(topology, group);
        while (!samePosition(digests))
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("members did not publish store digests at one applied position within " + timeoutMs +
                    " ms: " + digests + "\n" + ClusterStatus.format(ClusterStatus.read(topology, group)));
            }
            pause(50);
            digests = ClusterStatus.readDigests(topology, group);
        }
        return digests;
    }

    /**
     * Members whose digest differs from member 0's at the same position (empty: no divergence).
     */
    static List<ClusterStatus.StoreDigest> divergent(final List<ClusterStatus.StoreDigest> digests)
    {
        final long reference = digests.get(0).digest();
        return digests.stream().filter(d -> d.digest() != reference).toList();
    }

    private static boolean samePosition(final List<ClusterStatus.StoreDigest> digests)
    {
        final long position = digests.get(0).position();
        return position > 0 && digests.stream().allMatch(d -> d.position() == position);
    }

    static void pause(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
