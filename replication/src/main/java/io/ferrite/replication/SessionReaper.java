package io.ferrite.replication;

import org.agrona.collections.Long2LongHashMap;

/**
 * Keeps a free session slot for newcomers: when a group holds {@code maxSessions - 1} client sessions or more, the
 * session whose last message is oldest is closed once it has been idle for the idle timeout, so idle clients can
 * never lock others out (a closed client session reconnects when it next sends a request). Below that
 * mark nothing is closed, however long a session idles.
 * <p>
 * Activity is the cluster time of each session's last message, so every member decides alike; the close itself is
 * asked of the cluster, which appends it to the log (only the leader's request takes effect).
 * <b>Note:</b> not thread-safe; used on the service thread.
 */
final class SessionReaper
{
    private static final long MISSING = Long.MIN_VALUE;

    private final Long2LongHashMap lastActiveMs = new Long2LongHashMap(MISSING);
    private final int maxSessions;
    private final long idleTimeoutMs;

    SessionReaper(final int maxSessions, final long idleTimeoutMs)
    {
        this.maxSessions = maxSessions;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    void onOpen(final long sessionId, final long nowMs)
    {
        lastActiveMs.put(sessionId, nowMs);
    }

    void onMessage(final long sessionId, final long nowMs)
    {
        if (lastActiveMs.containsKey(sessionId))
        {
            lastActiveMs.put(sessionId, nowMs);
        }
    }

    void onClose(final long sessionId)
    {
        lastActiveMs.remove(sessionId);
    }

    /**
     * True while the group is within one session of its limit: the reaper should look again.
     */
    boolean isNearlyFull()
    {
        return lastActiveMs.size() >= maxSessions - 1;
    }

    /**
     * The session to close now: the longest idle one if the group is nearly full and it has idled long enough, or
     * {@link Long#MIN_VALUE}. Ties go to the lowest session id.
     */
    long sessionToClose(final long nowMs)
    {
        if (!isNearlyFull())
        {
            return MISSING;
        }
        long oldestId = MISSING;
        long oldestMs = Long.MAX_VALUE;
        final Long2LongHashMap.EntryIterator it = lastActiveMs.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final long id = it.getLongKey();
            final long activeMs = it.getLongValue();
            if (activeMs < oldestMs || (activeMs == oldestMs && id < oldestId))
            {
                oldestMs = activeMs;
                oldestId = id;
            }
        }
        return MISSING != oldestId && nowMs - oldestMs >= idleTimeoutMs ? oldestId : MISSING;
    }

    int sessions()
    {
        return lastActiveMs.size();
    }
}
