package io.ferrite.client;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Idle strategies by name, for configuration.
 * <ul>
 *     <li>{@code backoff} (default): spin, yield, then park from 1 us up to 100 us (with the thread's timer slack
 *     lowered when {@code ferrite.idle.timer.slack.ns} is set, see {@link TimerSlack}). Safe on 2 cores; a reply
 *     to a thread that parked costs a wake-up (about 35 us on a small VM).</li>
 *     <li>{@code sleeping}: park 1 ms. Least CPU, highest latency.</li>
 *     <li>{@code yielding}: never parks; keeps a core busy.</li>
 *     <li>{@code busy}: busy-spin; the lowest latency, takes a whole core (do not use on 2 cores).</li>
 * </ul>
 */
public final class IdleStrategies
{
    /** Longest park of the default backoff strategy: measured on 2 cores, 100 us bounds the p99 well. */
    public static final long BACKOFF_MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * Yields of the backoff strategy (the node's and client's threads and the embedded media driver) after its 10
     * spins and before it parks. Each is a system call that lets other threads run; more of them catch the next
     * message without a park at a CPU cost (perf-results/latency/yields-ab.md: 60 on node and client cut the async
     * p50 at 10k req/s from 140 to 78 us for about 40% of a core more).
     */
    public static final String BACKOFF_YIELDS_PROP_NAME = "ferrite.idle.yields";
    public static final int BACKOFF_YIELDS_DEFAULT = 20;

    private IdleStrategies()
    {
    }

    /**
     * The backoff strategy: 10 spins, {@link #backoffYields()} yields, then parks from 1 us doubling to
     * {@link #BACKOFF_MAX_PARK_NS}.
     */
    public static BackoffIdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, backoffYields(), TimeUnit.MICROSECONDS.toNanos(1), BACKOFF_MAX_PARK_NS);
    }

    /**
     * {@link #BACKOFF_YIELDS_PROP_NAME}, or its default.
     *
     * @throws IllegalArgumentException if it is negative.
     */
    public static int backoffYields()
    {
        final int yields = Integer.getInteger(BACKOFF_YIELDS_PROP_NAME, BACKOFF_YIELDS_DEFAULT);
        if (yields < 0)
        {
            throw new IllegalArgumentException(BACKOFF_YIELDS_PROP_NAME + " must be 0 or more, not " + yields);
        }
        return yields;
    }

    /**
     * A new idle strategy for {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name.
     */
    public static IdleStrategy of(final String name)
    {
        switch (name.trim().toLowerCase())
        {
            case "backoff":
                return LowSlackIdleStrategy.wrap(backoff());
            case "sleeping":
                return new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1));
            case "yielding":
                return new YieldingIdleStrategy();
            case "busy":
                return new BusySpinIdleStrategy();
            default:
                throw new IllegalArgumentException(
                    "unknown idle strategy '" + name + "': use backoff, sleeping, yielding or busy");
        }
    }
}
