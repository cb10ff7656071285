package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.NodeStats;
import io.ferrite.transport.NodeCountersReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shows a running node's counters: asked over the network, or read from its media driver's counters file.
 */
@Command(name = "stats", description = "Show a running node's counters.")
final class StatsCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions client;

    @Option(names = "--counters", description = "Read the counters file of the node's media driver directory " +
        "instead of asking the node (same machine; works while the node is busy).")
    String countersDir;

    public Integer call()
    {
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
