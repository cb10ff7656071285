package io.ferrite.engine;

/**
 * Layout of the policy region of {@link EvictionPolicyType#WINDOW_TINY_LFU}: list sizes and adaptation state, the
 * three list headers, the frequency sketch, then the ghost table.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Window maximum (entries)                      |
 *  +---------------------------------------------------------------+
 *  |                 Protected maximum (entries)                   |
 *  +---------------------------------------------------------------+
 *  |          Pending window adjustment (signed entries)           |
 *  +---------------------------------------------------------------+
 *  |          Window-side eviction sequence (31 bits)              |
 *  +---------------------------------------------------------------+
 *  |          Main-side eviction sequence (31 bits)                |
 *  +---------------------------------------------------------------+
 *  |          Probation link sequence (30 bits)                    |
 *  +---------------------------------------------------------------+
 *  |          Sketch increments since the last halving             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Flood-guard generator state (xorshift64)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Reserved (8 bytes)                            |
 *  +---------------------------------------------------------------+
 *  |    Window list header (16 bytes, see {@link EntryLists})      |
 *  +---------------------------------------------------------------+
 *  |    Probation list header (16 bytes)                           |
 *  +---------------------------------------------------------------+
 *  |    Protected list header (16 bytes)                           |
 *  +---------------------------------------------------------------+
 *  |          Last requested key: 1 (32) | key hash (32), 0: none  |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |    Padding to 128 bytes                                       |
 *  +---------------------------------------------------------------+
 *  |    Sketch: {@link #sketchLongs(long)} longs of sixteen 4-bit  |
 *  |    counters, in 64-byte blocks                                |
 *  +---------------------------------------------------------------+
 *  |    Ghost table: {@link #ghostSlots(long)} longs, each         |
 *  |    key hash (32) | side (1) | side's eviction sequence (31)   |
 *  +---------------------------------------------------------------+
 * </pre>
 * The policy word of an entry holds its list id in the low two bits; for an entry on probation the upper thirty
 * bits hold its <i>link stamp</i>, the probation link sequence when it was linked there (zero on the other lists):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-----------------------------------------------------------+
 *  |List|              Link stamp (probation only)                 |
 *  +-+-+-----------------------------------------------------------+
 * </pre>
 */
final class WindowTinyLfuDescriptor
{
    static final int WINDOW_MAX_OFFSET = 0;
    static final int PROTECTED_MAX_OFFSET = WINDOW_MAX_OFFSET + 4;
    static final int ADJUSTMENT_OFFSET = PROTECTED_MAX_OFFSET + 4;
    static final int WINDOW_SEQUENCE_OFFSET = ADJUSTMENT_OFFSET + 4;
    static final int MAIN_SEQUENCE_OFFSET = WINDOW_SEQUENCE_OFFSET + 4;
    static final int PROBATION_SEQUENCE_OFFSET = MAIN_SEQUENCE_OFFSET + 4;
    static final int SKETCH_ADDITIONS_OFFSET = PROBATION_SEQUENCE_OFFSET + 4;
    static final int FLOOD_GUARD_OFFSET = SKETCH_ADDITIONS_OFFSET + 8;
    static final int LISTS_OFFSET = FLOOD_GUARD_OFFSET + 16;
    static final int LAST_KEY_OFFSET = LISTS_OFFSET + 3 * EntryLists.LIST_LENGTH;
    static final int SKETCH_OFFSET = 128;

    /** List ids, also the policy word of an entry on that list. */
    static final int WINDOW = 0;
    static final int PROBATION = 1;
    static final int PROTECTED = 2;
    static final int LIST_COUNT = 3;
    /** Bits of the policy word that hold the list id; the rest hold the link stamp. */
    static final int LIST_MASK = 3;
    static final int STAMP_SHIFT = 2;
    static final int STAMP_MASK = 0x3FFF_FFFF;

    /** Longs in one sketch block: an item's four counters all lie in one 64-byte cache line. */
    static final int BLOCK_LONGS = 8;
    static final long MAX_SKETCH_LONGS = 1L << 30;
    static final long MIN_GHOST_SLOTS = 64;

    private WindowTinyLfuDescriptor()
    {
    }

    /**
     * Sketch length in longs for a store of {@code maxEntries}: sixteen counters per entry rounded up to a power
     * of two, at least one block.
     */
    static long sketchLongs(final long maxEntries)
    {
        return ceilingPowerOfTwo(Math.max(BLOCK_LONGS, Math.min(MAX_SKETCH_LONGS, maxEntries)));
    }

    /**
     * Ghost table slots for a store of {@code maxEntries}: a quarter slot per entry rounded up to a power of two
     * (only ghosts evicted within the last few percent of the capacity matter, so most slots hold stale ones).
     */
    static long ghostSlots(final long maxEntries)
    {
        return ceilingPowerOfTwo(Math.max(MIN_GHOST_SLOTS, Math.min(MAX_SKETCH_LONGS, maxEntries >>> 2)));
    }

    static long ghostTableOffset(final long maxEntries)
    {
        return SKETCH_OFFSET + 8 * sketchLongs(maxEntries);
    }

    static long regionLength(final long maxEntries)
    {
        return ghostTableOffset(maxEntries) + 8 * ghostSlots(maxEntries);
    }

    private static long ceilingPowerOfTwo(final long value)
    {
        return 1L << (64 - Long.numberOfLeadingZeros(value - 1));
    }
}
