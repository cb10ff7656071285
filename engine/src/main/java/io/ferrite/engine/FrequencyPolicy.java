package io.ferrite.engine;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;

/**
 * LFU and MFU over 32 frequency levels with periodic halving (aging).
 * <p>
 * Each level is a recency-ordered list. An entry's policy word holds the level it was last placed on (low 8
 * bits) and the aging epoch of that moment (high 24 bits). Every {@code agingPeriod} inserts and hits the
 * epoch advances and every frequency halves: levels {@code 2k} and {@code 2k+1} are spliced into level
 * {@code k} in O(levels), with the old level {@code 2k} entries at the tail (they were less frequent). An
 * entry's current level is therefore its stored level shifted right by the epochs since it was placed; the
 * store's sweep refreshes stored words so that difference stays small, and every {@link #REFRESH_EPOCHS} epochs
 * aging rewrites every word, so no word falls 2^24 epochs behind and wraps (which a short aging period and a large
 * store could otherwise reach between two sweeps of an entry).
 * <p>
 * Inserts start at level 1, so an entry that was hit once long ago (now level 0) is evicted before a new one.
 * LFU's victim is the tail of the lowest non-empty level, MFU's the tail of the highest. Region layout:
 * occupancy mask (int), epoch (int), operations since aging (long), then 32 list headers.
 */
final class FrequencyPolicy extends EvictionPolicy
{
    static final int LEVELS = 32;
    static final int MAX_LEVEL = LEVELS - 1;
    static final int START_LEVEL = 1;
    private static final int EPOCH_BITS = 24;
    private static final int EPOCH_MASK = (1 << EPOCH_BITS) - 1;
    /** Epochs between two rewrites of every entry's word by {@link #age()}: well below the 24-bit wrap. */
    static final int REFRESH_EPOCHS = 1 << 20;

    private static final int MASK_OFFSET = 0;
    private static final int EPOCH_OFFSET = 4;
    private static final int OPS_OFFSET = 8;
    private static final int LISTS_OFFSET = 16;
    static final long REGION_LENGTH = LISTS_OFFSET + (long)LEVELS * EntryLists.LIST_LENGTH;

    private final long agingPeriod;
    private final boolean evictMostFrequent;

    FrequencyPolicy(
        final EntryLists lists,
        final MappedMemory memory,
        final long region,
        final long agingPeriod,
        final boolean evictMostFrequent)
    {
        super(lists, memory, region);
        this.agingPeriod = agingPeriod;
        this.evictMostFrequent = evictMostFrequent;
    }

    void reset()
    {
        memory.putInt(region + MASK_OFFSET, 0);
        memory.putInt(region + EPOCH_OFFSET, 0);
        memory.putLong(region + OPS_OFFSET, 0);
        for (int level = 0; level < LEVELS; level++)
        {
            lists.init(list(level));
        }
    }

    void onInsert(final int entry)
    {
        place(entry, START_LEVEL);
        tick();
    }

    void onAccess(final int entry, final int hash)
    {
        final int level = level(entry);
        final long from = list(level);
        lists.unlink(from, entry);
        if (0 == lists.count(from))
        {
            clearBit(level);
        }
        place(entry, Math.min(MAX_LEVEL, level + 1));
        tick();
    }

    void onRemove(final int entry)
    {
        final int level = level(entry);
        final long from = list(level);
        lists.unlink(from, entry);
        if (0 == lists.count(from))
        {
            clearBit(level);
        }
    }

    int victim()
    {
        final int mask = memory.getInt(region + MASK_OFFSET);
        if (0 == mask)
        {
            return NULL_INDEX;
        }
        final int level = evictMostFrequent ? MAX_LEVEL - Integer.numberOfLeadingZeros(mask) :
            Integer.numberOfTrailingZeros(mask);
        return lists.tail(list(level));
    }

    void onSweep(final int entry)
    {
        lists.policyWord(entry, word(level(entry), epoch()));
    }

    boolean observesSweep()
    {
        return true;
    }

    /**
     * The entry's current frequency level (visible for tests).
     */
    int level(final int entry)
    {
        final int word = lists.policyWord(entry);
        final int age = (epoch() - (word >>> 8)) & EPOCH_MASK;
        return age >= 8 ? 0 : (word & 0xFF) >>> age;
    }

    /**
     * Halve every frequency now (visible for tests; normally driven by the aging period).
     */
    void age()
    {
        for (int level = 0; level < LEVELS / 2; level++)
        {
            lists.concat(list(level), list(2 * level + 1), list(2 * level));
        }
        int mask = 0;
        for (int level = 0; level < LEVELS; level++)
        {
            if (0 != lists.count(list(level)))
            {
                mask |= 1 << level;
            }
        }
        memory.putInt(region + MASK_OFFSET, mask);
        final int epoch = (epoch() + 1) & EPOCH_MASK;
        memory.putInt(region + EPOCH_OFFSET, epoch);
        memory.putLong(region + OPS_OFFSET, 0);
        if (0 == (epoch & (REFRESH_EPOCHS - 1)))
        {
            for (int level = 0; level < LEVELS; level++)
            {
                for (int entry = lists.head(list(level)); NULL_INDEX != entry; entry = lists.next(entry))
                {
                    lists.policyWord(entry, word(level, epoch));
                }
            }
        }
    }

    private void tick()
    {
        final long ops = memory.getLong(region + OPS_OFFSET) + 1;
        if (ops >= agingPeriod)
        {
            age();
        }
        else
        {
            memory.putLong(region + OPS_OFFSET, ops);
        }
    }

    private void place(final int entry, final int level)
    {
        lists.linkFirst(list(level), entry);
        lists.policyWord(entry, word(level, epoch()));
        memory.putInt(region + MASK_OFFSET, memory.getInt(region + MASK_OFFSET) | (1 << level));
    }

    private void clearBit(final int level)
    {
        memory.putInt(region + MASK_OFFSET, memory.getInt(region + MASK_OFFSET) & ~(1 << level));
    }

    private int epoch()
    {
        return memory.getInt(region + EPOCH_OFFSET);
    }

    private static int word(final int level, final int epoch)
    {
        return (epoch << 8) | level;
    }

    int listCount()
    {
        return LEVELS;
    }

    String check(final int entry, final int listIndex)
    {
        if (level(entry) != listIndex)
        {
            return "entry " + entry + " is on level list " + listIndex + " but its policy word says " + level(entry);
        }
        if (0 == (memory.getInt(region + MASK_OFFSET) & (1 << listIndex)))
        {
            return "level " + listIndex + " holds entry " + entry + " but its occupancy bit is clear";
        }
        return null;
    }

    long list(final int level)
    {
        return region + LISTS_OFFSET + (long)level * EntryLists.LIST_LENGTH;
    }
}
