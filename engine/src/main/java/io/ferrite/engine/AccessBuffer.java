package io.ferrite.engine;

/**
 * Hits recorded for the policy and applied later in batches, so the cache misses of their list updates overlap
 * instead of each get waiting for its own.
 * <p>
 * A get that hits, or a put that updates an existing entry, only appends the entry here. {@link #drain()} applies the
 * recorded hits to the policy in the order they happened, after two passes that load every recorded entry's record and
 * then its list neighbours; those loads are independent of one another, so the processor has them in flight together
 * and the relinks that follow find their lines in cache. The store drains before every other policy call (insert, miss,
 * removal, victim choice, a sweep the policy observes) and before anything reads policy state (image, verification,
 * close), so the policy sees exactly the calls it would have seen unbuffered, in the same order: LRU stays exact and
 * every policy stays deterministic.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class AccessBuffer
{
    static final int CAPACITY = 32;

    private final int[] entries = new int[CAPACITY];
    private final int[] hashes = new int[CAPACITY];
    private final EvictionPolicy policy;
    private final EntryTable table;
    private final MappedMemory meta;
    private int count;
    private long sink;

    AccessBuffer(final EvictionPolicy policy, final EntryTable table, final MappedMemory meta)
    {
        this.policy = policy;
        this.table = table;
        this.meta = meta;
    }

    /**
     * Record a hit on {@code entry}, whose key has {@code hash}, draining first if the buffer is full.
     */
    void record(final int entry, final int hash)
    {
        if (CAPACITY == count)
        {
            drain();
        }
        entries[count] = entry;
        hashes[count++] = hash;
    }

    boolean isEmpty()
    {
        return 0 == count;
    }

    /**
     * Apply every recorded hit to the policy, oldest first.
     */
    void drain()
    {
        final int n = count;
        if (0 == n)
        {
            return;
        }
        count = 0;
        if (n > 1)
        {
            long touched = 0;
            for (int i = 0; i < n; i++)
            {
                touched += meta.getLong(table.record(entries[i]) + EntryDescriptor.PREV_OFFSET);
            }
            for (int i = 0; i < n; i++)
            {
                final long links = meta.getLong(table.record(entries[i]) + EntryDescriptor.PREV_OFFSET);
                final int prev = (int)links;
                final int next = (int)(links >>> 32);
                if (prev >= 0)
                {
                    touched += meta.getInt(table.record(prev) + EntryDescriptor.NEXT_OFFSET);
                }
                if (next >= 0)
                {
                    touched += meta.getInt(table.record(next) + EntryDescriptor.PREV_OFFSET);
                }
                policy.prefetch(entries[i], hashes[i]);
            }
            sink += touched;
        }
        for (int i = 0; i < n; i++)
        {
            policy.onAccess(entries[i], hashes[i]);
        }
    }

    /**
     * Forget recorded hits without applying them (the store was emptied or replaced by an image).
     */
    void discard()
    {
        count = 0;
    }

    long sink()
    {
        return sink;
    }
}
