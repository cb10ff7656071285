package io.ferrite.bench.latency;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How the load generator waits for the next intended send time without spinning a core: park until about
 * {@link #PARK_SLACK_NS} before the deadline (a park on Linux overshoots by about 50-60 us), then yield until it.
 * Whatever lateness remains is counted in every latency (it is measured from the intended time) and reported
 * separately as the send lag.
 */
final class Pacer
{
    static final long PARK_SLACK_NS = TimeUnit.MICROSECONDS.toNanos(60);

    private Pacer()
    {
    }

    /**
     * Wait until {@code deadlineNs} (System.nanoTime) has passed.
     *
     * @return the time at which the wait ended.
     */
    static long waitUntil(final long deadlineNs)
    {
        long now;
        while ((now = System.nanoTime()) - deadlineNs < 0)
        {
            final long remaining = deadlineNs - now;
            if (remaining > PARK_SLACK_NS + TimeUnit.MICROSECONDS.toNanos(5))
            {
                LockSupport.parkNanos(remaining - PARK_SLACK_NS);
            }
            else
            {
                Thread.yield();
            }
        }
        return now;
    }

    /**
     * Back off while waiting for something other threads do: spin, yield, then park from 1 us up to 100 us (the
     * same shape as Ferrite's default idle strategy).
     */
    static void idle(final int idleCount)
    {
        if (idleCount < 10)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < 30)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(Math.min(TimeUnit.MICROSECONDS.toNanos(100), 1000L << Math.min(idleCount - 30, 7)));
        }
    }
}
