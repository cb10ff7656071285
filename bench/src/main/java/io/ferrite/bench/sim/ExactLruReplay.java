package io.ferrite.bench.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference exact LRU: a {@link LinkedHashMap} in access order that drops its eldest entry when full.
 */
final class ExactLruReplay implements ReplayPolicy
{
    public String name()
    {
        return "LRU (LinkedHashMap)";
    }

    public long replay(final Trace trace, final int capacity)
    {
        final Map<Long, Boolean> cache = new LinkedHashMap<>(2 * capacity, 0.75f, true)
        {
            private static final long serialVersionUID = 1L;

            protected boolean removeEldestEntry(final Map.Entry<Long, Boolean> eldest)
            {
                return size() > capacity;
            }
        };
        long hits = 0;
        for (final long key : trace.keys)
        {
            if (null != cache.get(key))
            {
                hits++;
            }
            else
            {
                cache.put(key, Boolean.TRUE);
            }
        }
        return hits;
    }
}
