package io.ferrite.bench.latency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Machine facts for the report: load averages and the share of CPU time the whole machine spent idle between two
 * samples of {@code /proc/stat} (other users of the machine included).
 */
final class MachineStats
{
    private final long idle;
    private final long total;
    private final String loadAverage;

    private MachineStats(final long idle, final long total, final String loadAverage)
    {
        this.idle = idle;
        this.total = total;
        this.loadAverage = loadAverage;
    }

    static MachineStats sample()
    {
        long idle = 0;
        long total = 0;
        String load = "?";
        try
        {
            final String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < cpu.length; i++)
            {
                total += Long.parseLong(cpu[i]);
            }
            idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            final String[] avg = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            load = avg[0] + " " + avg[1] + " " + avg[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            load = "unavailable (" + ex + ")";
        }
        return new MachineStats(idle, total, load);
    }

    String loadAverage()
    {
        return loadAverage;
    }

    /**
     * Percentage of CPU time idle since {@code earlier}.
     */
    String idleSince(final MachineStats earlier)
    {
        final long dt = total - earlier.total;
        return dt <= 0 ? "?" : String.format(Locale.ROOT, "%.0f%%", 100.0 * (idle - earlier.idle) / dt);
    }
}
