package io.ferrite.replication.datastore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a history of writes against the database's final contents, in the spirit of the linearizability check: for
 * every key, the database must hold the last value whose write was acknowledged, or the value of a write issued
 * after it whose outcome the client never learned (a timeout or a failover: it may or may not have happened), and
 * never a value nobody wrote. A key with no acknowledged write may be absent or hold an unknown-outcome value.
 * Writes the cache refused outright (backpressure, refusal) must not be recorded as either.
 * <b>Note:</b> not thread-safe; record from one thread.
 */
public final class LostWriteChecker
{
    private final Map<String, String> lastAcked = new HashMap<>();
    private final Map<String, Set<String>> unknownSinceAck = new HashMap<>();
    private long acknowledged;

    public void acknowledged(final String key, final String value)
    {
        lastAcked.put(key, value);
        unknownSinceAck.remove(key);
        acknowledged++;
    }

    public void unknown(final String key, final String value)
    {
        unknownSinceAck.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(value);
    }

    public long acknowledgedCount()
    {
        return acknowledged;
    }

    public Map<String, String> lastAcknowledged()
    {
        return lastAcked;
    }

    /**
     * @return one line per violation; empty if the database lost no acknowledged write.
     */
    public List<String> check(final Map<String, String> database)
    {
        final List<String> violations = new ArrayList<>();
        final Set<String> keys = new LinkedHashSet<>(lastAcked.keySet());
        keys.addAll(unknownSinceAck.keySet());
        for (final String key : keys)
        {
            final String acked = lastAcked.get(key);
            final Set<String> maybe = unknownSinceAck.getOrDefault(key, Set.of());
            final String actual = database.get(key);
            final boolean ok = (null != acked && acked.equals(actual)) ||
                (null != actual && maybe.contains(actual)) || (null == acked && null == actual);
            if (!ok)
            {
                violations.add("key " + key + ": last acknowledged " + acked + (maybe.isEmpty() ? "" :
                    " (or unacknowledged later " + maybe + ")") + " but the database holds " + actual);
            }
        }
        for (final String key : database.keySet())
        {
            if (!keys.contains(key))
            {
                violations.add("key " + key + ": the database holds " + database.get(key) + ", never written");
            }
        }
        return violations;
    }
}
