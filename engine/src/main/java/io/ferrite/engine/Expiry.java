package io.ferrite.engine;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.StoreDescriptor.EXPIRATIONS_COUNTER;
import static io.ferrite.engine.StoreDescriptor.SWEEP_CURSOR_OFFSET;

/**
 * Expiry: absolute expiry times from TTLs by the injected clock, the expiry of an entry (kept in its block, read
 * only for entries whose address word has the TTL bit), and the incremental sweep that removes expired entries a
 * few records at a time.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class Expiry
{
    private final FerriteStore store;
    private final EntryTable entries;
    private final MappedMemory data;
    private final UnsafeBuffer header;
    private final EpochClock clock;

    Expiry(
        final FerriteStore store,
        final EntryTable entries,
        final MappedMemory data,
        final UnsafeBuffer header,
        final EpochClock clock)
    {
        this.store = store;
        this.entries = entries;
        this.data = data;
        this.header = header;
        this.clock = clock;
    }

    EpochClock clock()
    {
        return clock;
    }

    /**
     * Now plus {@code ttlMs}, saturating: a TTL too long to add (Long.MAX_VALUE for "forever") never expires.
     */
    long expiryFor(final long ttlMs)
    {
        final long now = clock.time();
        return ttlMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMs;
    }

    boolean hasPassed(final long expireAt)
    {
        return 0 != expireAt && expireAt <= clock.time();
    }

    /**
     * Expiry of a live entry, 0 for never.
     */
    long expireAt(final int entry)
    {
        final int word = entries.addressWord(entry);
        if (0 == (word & EntryDescriptor.TTL_BIT))
        {
            return 0;
        }
        final long block = EntryTable.blockAddressOf(word & EntryDescriptor.ADDRESS_MASK);
        return BlockDescriptor.expireAt(data.buffer(block), MappedMemory.offset(block));
    }

    boolean isExpired(final int entry)
    {
        return hasPassed(expireAt(entry));
    }

    void reset()
    {
        header.putInt(SWEEP_CURSOR_OFFSET, 0);
    }

    /**
     * Examine up to {@code limit} entry records, continuing where the last sweep stopped, remove those that expired
     * and give the policy its periodic look at the others.
     *
     * @return the number of entries removed.
     */
    int sweep(final int limit, final EvictionPolicy policy)
    {
        final int hwm = entries.highWaterMark();
        if (0 == hwm)
        {
            return 0;
        }
        int cursor = header.getInt(SWEEP_CURSOR_OFFSET);
        long now = 0;
        int removed = 0;
        for (int i = 0; i < limit; i++)
        {
            if (cursor >= hwm)
            {
                cursor = 0;
            }
            final int entry = cursor++;
            final int word = entries.addressWord(entry);
            if (0 != word)
            {
                if (0 != (word & EntryDescriptor.TTL_BIT))
                {
                    if (0 == now)
                    {
                        now = clock.time();
                    }
                    final long expireAt = expireAt(entry);
                    if (expireAt <= now)
                    {
                        store.remove(entry, EXPIRATIONS_COUNTER);
                        removed++;
                        continue;
                    }
                }
                policy.onSweep(entry);
            }
        }
        header.putInt(SWEEP_CURSOR_OFFSET, cursor);
        return removed;
    }
}
