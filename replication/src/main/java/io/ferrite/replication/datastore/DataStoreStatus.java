package io.ferrite.replication.datastore;

import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNodeContext;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the datastore counters ({@link DataStoreCounters}) of the local members of a group from their media drivers,
 * from another process, for {@code ferrite cluster status} and for tests. <b>Note:</b> stateless.
 */
public final class DataStoreStatus
{
    /**
     * @param member   member id.
     * @param group    group id.
     * @param counters by name; empty if the member is down or runs no datastore policy.
     */
    public record MemberCounters(int member, int group, Map<String, Long> counters)
    {
    }

    private DataStoreStatus()
    {
    }

    /**
     * The counters of every member of {@code groups}, found by their default Aeron directories.
     */
    public static List<MemberCounters> read(final GroupTopology topology, final int... groups)
    {
        final List<MemberCounters> result = new ArrayList<>();
        for (int member = 0; member < topology.memberCount(); member++)
        {
            final String dir = ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), member);
            for (final int group : groups)
            {
                result.add(new MemberCounters(member, group, readMember(dir, group)));
            }
        }
        return result;
    }

    /**
     * The counters of {@code group} in the driver at {@code aeronDir}; empty if it is not running.
     */
    public static Map<String, Long> readMember(final String aeronDir, final int group)
    {
        if (!new File(aeronDir, CncFileDescriptor.CNC_FILE).exists())
        {
            return Map.of();
        }
        try (Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .driverTimeoutMs(2000)
            .useConductorAgentInvoker(true)))
        {
            return DataStoreCounters.read(aeron.countersReader(), group);
        }
        catch (final RuntimeException ex)
        {
            return Map.of();
        }
    }

    /**
     * A table for people (nothing if no member runs a datastore policy).
     */
    public static String format(final List<MemberCounters> all)
    {
        final StringBuilder sb = new StringBuilder();
        for (final MemberCounters m : all)
        {
            if (m.counters().isEmpty())
            {
                continue;
            }
            if (0 == sb.length())
            {
                sb.append("datastore (write-behind pending set, flushes, read-through loads, write-through):\n");
            }
            sb.append(String.format("  group %d member %d:", m.group(), m.member()));
            m.counters().forEach((name, value) -> sb.append(' ').append(name).append('=').append(value));
            sb.append('\n');
        }
        return sb.toString();
    }
}
