package io.ferrite.client;

import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy that, the first time its thread idles, sets that thread's {@link TimerSlack timer slack} so
 * that the parks of the strategy it wraps last about as long as asked. Idle strategies are made on one thread and
 * used on their agent's thread, hence the lazy set. One instance per thread, as with every idle strategy.
 */
public final class LowSlackIdleStrategy implements IdleStrategy
{
    private static final ThreadLocal<boolean[]> SLACK_SET = ThreadLocal.withInitial(() -> new boolean[1]);

    private final IdleStrategy delegate;
    private final long slackNs;
    private boolean slackSet;

    public LowSlackIdleStrategy(final IdleStrategy delegate, final long slackNs)
    {
        this.delegate = delegate;
        this.slackNs = slackNs;
        this.slackSet = slackNs <= 0;
    }

    /**
     * {@code delegate} with the {@link TimerSlack#configuredNs() configured} slack.
     */
    public static IdleStrategy wrap(final IdleStrategy delegate)
    {
        final long slackNs = TimerSlack.configuredNs();
        return slackNs > 0 ? new LowSlackIdleStrategy(delegate, slackNs) : delegate;
    }

    /**
     * Lower the calling thread's timer slack to the configured value, once per thread: for threads that park
     * without an idle strategy object (a blocking caller waiting for its answer).
     */
    public static void lowerCurrentThreadSlack()
    {
        if (TimerSlack.configuredNs() > 0 && !SLACK_SET.get()[0])
        {
            SLACK_SET.get()[0] = true;
            TimerSlack.setForCurrentThread(TimerSlack.configuredNs());
        }
    }

    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            setSlack();
        }
        delegate.idle(workCount);
    }

    public void idle()
    {
        setSlack();
        delegate.idle();
    }

    public void reset()
    {
        delegate.reset();
    }

    public String alias()
    {
        return delegate.alias() + "+slack" + slackNs + "ns";
    }

    private void setSlack()
    {
        if (!slackSet)
        {
            slackSet = true;
            TimerSlack.setForCurrentThread(slackNs);
        }
    }

    public String toString()
    {
        return "LowSlackIdleStrategy{slackNs=" + slackNs + ", delegate=" + delegate + "}";
    }
}
