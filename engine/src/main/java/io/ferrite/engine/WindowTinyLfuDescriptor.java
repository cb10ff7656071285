package io.ferrite.engine;

/**
 * Layout of the policy region of {@link EvictionPolicyType#WINDOW_TINY_LFU}: sizes and hill-climber state, the
 * three list headers, then the frequency sketch.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Window maximum (entries)                      |
 *  +---------------------------------------------------------------+
 *  |                 Protected maximum (entries)                   |
 *  +---------------------------------------------------------------+
 *  |                 Hits in the current sample                    |
 *  +---------------------------------------------------------------+
 *  |                 Misses in the current sample                  |
 *  +---------------------------------------------------------------+
 *  |          Pending window adjustment (signed entries)           |
 *  +---------------------------------------------------------------+
 *  |                 Reserved                                      |
 *  +---------------------------------------------------------------+
 *  |          Climber step size (IEEE 754 double bits)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Previous sample's hit ratio (double bits)            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Sketch increments since the last halving             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Flood-guard generator state (xorshift64)             |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Reserved (8 bytes)                            |
 *  +---------------------------------------------------------------+
 *  |    Window list header (16 bytes, {@link EntryLists})          |
 *  +---------------------------------------------------------------+
 *  |    Probation list header (16 bytes)                           |
 *  +---------------------------------------------------------------+
 *  |    Protected list header (16 bytes)                           |
 *  +---------------------------------------------------------------+
 *  |    Padding to 128 bytes                                       |
 *  +---------------------------------------------------------------+
 *  |    Sketch: {@link #sketchLongs(long)} longs, 16 4-bit         |
 *  |    counters each, in 64-byte blocks                           |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class WindowTinyLfuDescriptor
{
    static final int WINDOW_MAX_OFFSET = 0;
    static final int PROTECTED_MAX_OFFSET = WINDOW_MAX_OFFSET + 4;
    static final int HITS_OFFSET = PROTECTED_MAX_OFFSET + 4;
    static final int MISSES_OFFSET = HITS_OFFSET + 4;
    static final int ADJUSTMENT_OFFSET = MISSES_OFFSET + 4;
    static final int STEP_SIZE_OFFSET = ADJUSTMENT_OFFSET + 8;
    static final int PREVIOUS_HIT_RATE_OFFSET = STEP_SIZE_OFFSET + 8;
    static final int SKETCH_ADDITIONS_OFFSET = PREVIOUS_HIT_RATE_OFFSET + 8;
    static final int FLOOD_GUARD_OFFSET = SKETCH_ADDITIONS_OFFSET + 8;
    static final int LISTS_OFFSET = FLOOD_GUARD_OFFSET + 16;
    static final int WINDOW = 0;
    static final int PROBATION = 1;
    static final int PROTECTED = 2;
    static final int LIST_COUNT = 3;
    static final int SKETCH_OFFSET = 128;

    /** Longs in one sketch block: an item's four counters all lie in one 64-byte cache line. */
    static final int BLOCK_LONGS = 8;
    static final int MAX_SKETCH_LONGS = 1 << 30;

    private WindowTinyLfuDescriptor()
    {
    }

    /**
     * Sketch length in longs for a store of {@code maxEntries}: the next power of two, at least one block.
     */
    static long sketchLongs(final long maxEntries)
    {
        final long wanted = Math.max(BLOCK_LONGS, Math.min(MAX_SKETCH_LONGS, maxEntries));
        return Long.highestOneBit(wanted - 1) << 1;
    }

    static long regionLength(final long maxEntries)
    {
        return SKETCH_OFFSET + 8 * sketchLongs(maxEntries);
    }
}
