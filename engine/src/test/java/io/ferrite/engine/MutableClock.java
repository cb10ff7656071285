package io.ferrite.engine;

import org.agrona.concurrent.EpochClock;

/**
 * A clock tests move by hand.
 */
final class MutableClock implements EpochClock
{
    private long time;

    MutableClock(final long time)
    {
        this.time = time;
    }

    public long time()
    {
        return time;
    }

    void advance(final long millis)
    {
        time += millis;
    }
}
