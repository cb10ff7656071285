package io.ferrite.bench.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Caffeine's W-TinyLFU (the library itself, not its simulator's model) made deterministic and fair: maintenance
 * runs on the calling thread ({@code executor(Runnable::run)}) and {@code cleanUp()} after every request drains
 * the read and write buffers, so no access is dropped from the policy's view and every eviction decision is
 * taken before the next request, exactly as the engine takes it. The one thing left random is Caffeine's own
 * hash-flooding guard (a warm candidate is admitted with probability 1/128), which moves results by a few
 * hundredths of a point between runs.
 */
final class CaffeineReplay implements ReplayPolicy
{
    public String name()
    {
        return "Caffeine 3.2.3";
    }

    public long replay(final Trace trace, final int capacity)
    {
        final Cache<Long, Boolean> cache = Caffeine.newBuilder()
            .maximumSize(capacity)
            .executor(Runnable::run)
            .build();
        long hits = 0;
        for (final long key : trace.keys)
        {
            final Long boxed = key;
            if (null != cache.getIfPresent(boxed))
            {
                hits++;
            }
            else
            {
                cache.put(boxed, Boolean.TRUE);
            }
            cache.cleanUp();
        }
        return hits;
    }
}
