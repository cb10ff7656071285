package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.NodeStats;
import io.ferrite.replication.ClusterStatus;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.transport.NodeCountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Shows a running node's counters (asked over the network, or read from its media driver's counters file), or with
 * {@code --replicated} the datastore counters of the local members of replica groups.
 */
@Command(name = "stats", description = "Show a running node's counters, or (--replicated) the datastore counters " +
    "of replica groups' local members.")
final class StatsCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Option(names = "--counters", description = "Read the counters file of the node's media driver directory " +
        "instead of asking the node (same machine; works while the node is busy).")
    String countersDir;

    @Option(names = "--replicated", description = "Show the datastore policy counters of the local members of the " +
        "replica groups (--hosts, --port-base, --groups): write-behind pending entries, oldest pending age, flush " +
        "rate over --interval-ms, failures.")
    boolean replicated;

    @Mixin
    ClusterCommand.TopologyOptions topology;

    @Option(names = "--interval-ms", description = "With --replicated: how long to sample the flush rate " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    long intervalMs;

    public Integer call()
    {
        if (replicated)
        {
            return replicatedStats();
        }
        if (null != countersDir)
        {
            final Map<String, Long> counters = NodeCountersReader.read(countersDir);
            if (counters.isEmpty())
            {
                System.err.println("no Ferrite node counters in " + countersDir);
                return 1;
            }
            counters.forEach((label, value) -> System.out.printf("%-16s %,d%n", label, value));
            return 0;
        }
        try (FerriteClient ferrite = client.connect())
        {
            print(ferrite.stats());
            return 0;
        }
    }

    private int replicatedStats()
    {
        if (intervalMs < 1)
        {
            System.err.println("--interval-ms must be at least 1");
            return 2;
        }
        final List<DataStoreStatus.MemberCounters> before = DataStoreStatus.read(topology.topology(), topology.groups);
        final long startNs = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs));
        final List<DataStoreStatus.MemberCounters> after = DataStoreStatus.read(topology.topology(), topology.groups);
        final long elapsedNs = System.nanoTime() - startNs;
        final List<ClusterStatus.MemberStatus> roles = ClusterStatus.read(topology.topology(), topology.groups);
        final String table = DataStoreStatus.formatStats(before, after, elapsedNs, (member, group) ->
            roles.stream().filter(r -> r.member() == member && r.group() == group).map(ClusterStatus.MemberStatus::role)
                .findFirst().orElse("?"));
        if (table.isEmpty())
        {
            System.err.println("no local member of group(s) " + java.util.Arrays.toString(topology.groups) +
                " runs a datastore policy (port base " + topology.portBase + ")");
            return 1;
        }
        System.out.print(table);
        return 0;
    }

    static void print(final NodeStats stats)
    {
        System.out.printf("node %x up %,d ms: size=%,d liveBytes=%,d capacity=%,d%n", stats.nodeInstanceId(),
            stats.uptimeMs(), stats.size(), stats.liveBytes(), stats.capacityBytes());
        System.out.printf("  hits=%,d misses=%,d (hit ratio %.1f%%) puts=%,d deletes=%,d evictions=%,d " +
            "expirations=%,d rejected=%,d%n", stats.hits(), stats.misses(), 100 * stats.hitRatio(), stats.puts(),
            stats.deletes(), stats.evictions(), stats.expirations(), stats.rejected());
        System.out.printf("  requests=%,d errors=%,d sessions=%d%n", stats.requests(), stats.errors(),
            stats.sessions());
    }
}
