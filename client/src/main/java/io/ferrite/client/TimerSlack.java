package io.ferrite.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The calling thread's timer slack on Linux: how late the kernel may fire a timer to batch wake-ups. The default
 * is 50 us, so a {@code parkNanos(1_000)} sleeps about 60 us here, and a backoff idle strategy that means to park
 * 1 us, 2 us, 4 us ... really parks 60 us from its first park: every hop of a request that finds its thread parked
 * waits for that. A few microseconds of slack make the parks what they say (measured on this 2-core VM: a 1 us park
 * took 60 us at 50 us slack, 8.5 us at 1 us slack; a 100 us park 177 us and 122 us). No CPU is spent while parked,
 * but an idle thread wakes more often: see {@link #SLACK_DEFAULT_NS} for what that cost here. A thread may always
 * change its own slack (no privilege needed).
 */
public final class TimerSlack
{
    /** System property: the timer slack in ns for Ferrite's agent threads; 0 keeps the kernel's default. */
    public static final String SLACK_PROP_NAME = "ferrite.idle.timer.slack.ns";
    /**
     * Default: 0, the kernel's slack. Measured on this 2-core VM (perf-results/latency/hops-1, run-9), 1 us cut the
     * node's blocking p50 at 10k PUT/s from 81 us to 24 us, but raised the node's and the client's CPU by about a
     * third, and with both cores busy the tails and the saturation got worse; so it is opt-in
     * ({@code -Dferrite.idle.timer.slack.ns=1000}) for machines with a core to spare.
     */
    public static final long SLACK_DEFAULT_NS = 0;

    private static final Path THREAD_SELF = Paths.get("/proc/thread-self");

    private TimerSlack()
    {
    }

    /**
     * The configured slack: {@value #SLACK_PROP_NAME}, default {@value #SLACK_DEFAULT_NS} ns.
     */
    public static long configuredNs()
    {
        return Long.getLong(SLACK_PROP_NAME, SLACK_DEFAULT_NS);
    }

    /**
     * Set the calling thread's timer slack to {@code slackNs}.
     *
     * @return false where it cannot be set (not Linux, an old kernel, no /proc).
     */
    public static boolean setForCurrentThread(final long slackNs)
    {
        if (slackNs <= 0 || !Files.isSymbolicLink(THREAD_SELF))
        {
            return false;
        }
        try
        {
            Files.write(currentThreadFile(), Long.toString(slackNs).getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * The calling thread's timer slack in ns, or -1 where it cannot be read.
     */
    public static long currentThreadNs()
    {
        try
        {
            return Long.parseLong(Files.readString(currentThreadFile(), StandardCharsets.US_ASCII).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    private static Path currentThreadFile() throws IOException
    {
        // /proc/thread-self -> "<pid>/task/<tid>"; the per-thread file is /proc/<tid>/timerslack_ns
        final String link = Files.readSymbolicLink(THREAD_SELF).toString();
        return Paths.get("/proc", link.substring(link.lastIndexOf('/') + 1), "timerslack_ns");
    }
}
