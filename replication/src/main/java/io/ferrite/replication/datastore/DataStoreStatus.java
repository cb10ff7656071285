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
     * Names a member's role in a group (for {@link #formatStats}).
     */
    @FunctionalInterface
    public interface RoleLookup
    {
        String role(int member, int group);
    }

    /**
     * The datastore view of {@code ferrite stats --replicated} from two samples {@code elapsedNs} apart: per member
     * (its role), write-behind pending entries and bytes, oldest pending age, flush rate (records and batches per
     * second between the samples), coalesced and refused writes, and failures (flush, load, write-through); nothing
     * if no member runs a datastore policy. Flushes and loads happen on the leader.
     */
    public static String formatStats(
        final List<MemberCounters> before, final List<MemberCounters> after, final long elapsedNs,
        final RoleLookup roles)
    {
        final StringBuilder sb = new StringBuilder();
        final double seconds = Math.max(1, elapsedNs) / 1e9;
        for (final MemberCounters now : after)
        {
            final Map<String, Long> c = now.counters();
            if (c.isEmpty())
            {
                continue;
            }
            final Map<String, Long> then = before.stream()
                .filter(m -> m.member() == now.member() && m.group() == now.group())
                .map(MemberCounters::counters).findFirst().orElse(Map.of());
            if (0 == sb.length())
            {
                sb.append("datastore policies (flush and load counts are the leader's):\n");
            }
            sb.append(String.format(
                "  group %d member %d (%s): pending %,d entries / %,d bytes, oldest pending %,d ms; " +
                "flushed %,.0f records/s in %,.1f batches/s (total %,d); coalesced %,d, refused-full %,d; " +
                "failures: flush %,d, load %,d, write-through %,d; loads %,d%n",
                now.group(), now.member(), roles.role(now.member(), now.group()),
                value(c, "pending-entries"), value(c, "pending-bytes"), value(c, "oldest-pending-age-ms"),
                rate(then, c, "flushed-records", seconds), rate(then, c, "flush-batches", seconds),
                value(c, "flushed-records"), value(c, "coalesced-writes"), value(c, "refused-full"),
                value(c, "flush-failures"), value(c, "load-failures"), value(c, "write-through-failures"),
                value(c, "loads")));
        }
        return sb.toString();
    }

    private static long value(final Map<String, Long> counters, final String name)
    {
        return counters.getOrDefault(name, 0L);
    }

    private static double rate(
        final Map<String, Long> before, final Map<String, Long> after, final String name, final double seconds)
    {
        return before.isEmpty() ? 0 : Math.max(0, value(after, name) - value(before, name)) / seconds;
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
