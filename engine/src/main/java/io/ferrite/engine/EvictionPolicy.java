package io.ferrite.engine;

/**
 * The contract between the store and an eviction policy. A policy keeps its state in its region of the meta
 * file and in the entries' link and policy-word fields, so it survives a clean restart with the store.
 * <p>
 * The store calls {@link #onInsert(int)} once an entry is live, {@link #onAccess(int, int)} on a hit or an update,
 * {@link #onMiss(int)} when a lookup finds nothing, and {@link #onRemove(int)} before an entry stops being
 * live for any reason (delete, expiry, eviction). {@link #victim()} names the entry to evict next without
 * removing it. Policies must be deterministic: the same calls in the same order give the same victims.
 * <b>Note:</b> not thread-safe; called by the store's single writer.
 */
abstract class EvictionPolicy
{
    final EntryLists lists;
    final MappedMemory memory;
    final long region;

    EvictionPolicy(final EntryLists lists, final MappedMemory memory, final long region)
    {
        this.lists = lists;
        this.memory = memory;
        this.region = region;
    }

    static long regionLength(final EvictionPolicyType type, final long maxEntries)
    {
        switch (type)
        {
            case LRU:
                return LruPolicy.REGION_LENGTH;
            case LFU:
            case MFU:
                return FrequencyPolicy.REGION_LENGTH;
            case WINDOW_TINY_LFU:
                return WindowTinyLfuPolicy.regionLength(maxEntries);
            default:
                throw new IllegalArgumentException("unknown policy " + type);
        }
    }

    static EvictionPolicy create(
        final EvictionPolicyType type,
        final EntryLists lists,
        final MappedMemory memory,
        final long region,
        final long maxEntries,
        final long agingPeriod)
    {
        switch (type)
        {
            case LRU:
                return new LruPolicy(lists, memory, region);
            case LFU:
                return new FrequencyPolicy(lists, memory, region, agingPeriod, false);
            case MFU:
                return new FrequencyPolicy(lists, memory, region, agingPeriod, true);
            case WINDOW_TINY_LFU:
                return new WindowTinyLfuPolicy(lists, memory, region, maxEntries);
            default:
                throw new IllegalArgumentException("unknown policy " + type);
        }
    }

    /**
     * Empty the policy's state (a new or cleared store).
     */
    abstract void reset();

    /**
     * The policy's state was written by another run (a cleanly closed store reopened, or a restored image), possibly
     * by an earlier Ferrite version of the same layout: bring it up to date. Must be deterministic.
     */
    void adopted()
    {
    }

    abstract void onInsert(int entry);

    /**
     * A hit on, or an update of, {@code entry}, whose key has {@code hash} (the store's key hash, passed so that a
     * policy that needs it does not read the key again).
     */
    abstract void onAccess(int entry, int hash);

    /**
     * Load what {@link #onAccess(int, int)} of {@code entry} will touch beyond the entry's record and list
     * neighbours, so that a batch of accesses has its cache misses in flight together ({@link AccessBuffer}); must
     * change nothing.
     */
    void prefetch(final int entry, final int hash)
    {
    }

    void onMiss(final int hash)
    {
    }

    abstract void onRemove(int entry);

    /**
     * The entry to evict next, or {@link EntryDescriptor#NULL_INDEX} when the policy tracks none. The store calls
     * this only when it is about to evict the returned entry (and before it links a new one), so a policy may
     * update its own state here, for example decide an admission contest and move the winner between its lists.
     */
    abstract int victim();

    /**
     * The number of entry lists the policy keeps (for verification).
     */
    abstract int listCount();

    /**
     * The address of list {@code i} in the meta file (for verification).
     */
    abstract long list(int i);

    /**
     * Check policy-specific invariants of a live entry found on list {@code listIndex}; a message on violation.
     */
    String check(final int entry, final int listIndex)
    {
        return null;
    }

    /**
     * Called periodically for every live entry by the store's sweep: a chance to refresh per-entry state.
     */
    void onSweep(final int entry)
    {
    }

    /**
     * Whether {@link #onSweep} reads or changes policy state (then buffered hits must be applied before a sweep).
     */
    boolean observesSweep()
    {
        return false;
    }
}
