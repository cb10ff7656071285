package io.ferrite.bench.latency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user + system) consumed by a set of processes, from {@code /proc/<pid>/stat} (clock ticks, assumed
 * 100 per second as on Linux x86-64). A process that has gone contributes nothing.
 */
final class CpuMeter
{
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuMeter()
    {
    }

    /**
     * Total CPU seconds used so far by {@code pids}.
     */
    static double cpuSeconds(final long[] pids)
    {
        long ticks = 0;
        for (final long pid : pids)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the process has exited
            }
        }
        return ticks / TICKS_PER_SECOND;
    }
}
