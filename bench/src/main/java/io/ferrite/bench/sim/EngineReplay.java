package io.ferrite.bench.sim;

import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ferrite's engine itself: an anonymous {@link FerriteStore} with {@code maxEntries = capacity} and a byte budget
 * large enough that only the entry limit evicts, driven through its public get and put. The key is the trace
 * key's 8 bytes, the value 8 bytes.
 */
final class EngineReplay implements ReplayPolicy
{
    private final EvictionPolicyType type;

    EngineReplay(final EvictionPolicyType type)
    {
        this.type = type;
    }

    public String name()
    {
        return "Ferrite " + type;
    }

    public long replay(final Trace trace, final int capacity)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[8]);
        final long bytes = (16L << 20) + 256L * capacity;
        long hits = 0;
        try (FerriteStore store = FerriteStore.open(
            new StoreContext().capacityBytes(bytes).maxEntries(capacity).policy(type)))
        {
            for (final long k : trace.keys)
            {
                key.putLong(0, k);
                if (FerriteStore.NOT_FOUND != store.get(key, 0, 8, dst, 0))
                {
                    hits++;
                }
                else
                {
                    value.putLong(0, k);
                    store.put(key, 0, 8, value, 0, 8, 0, FerriteStore.PUT);
                }
            }
            if (store.size() > capacity)
            {
                throw new IllegalStateException(name() + " holds " + store.size() + " > " + capacity + " entries");
            }
        }
        return hits;
    }
}
