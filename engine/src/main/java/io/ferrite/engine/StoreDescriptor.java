package io.ferrite.engine;

/**
 * Layout of the store's header, the first page of the {@code meta} file.
 * <p>
 * The meta file holds, in order: this header, the policy region, the segment table, the hash index and the
 * entry table. The {@code data} file holds the log segments. Every region starts on a page boundary.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         Magic (long)                          |
 *  +---------------------------------------------------------------+
 *  |        Layout Version         |       State (OPEN/CLEAN)      |
 *  +-------------------------------+-------------------------------+
 *  |   Policy type ordinal         |       Hash seed               |
 *  +-------------------------------+-------------------------------+
 *  |                 Capacity in bytes (long)                      |
 *  |                 Max entries (long)                            |
 *  |                 Index slots (long)                            |
 *  |                 Segment size / Segment count (int, int)       |
 *  |                 Meta file length / Data file length (longs)   |
 *  |                 Live fill ratio in 1/1000 (int), pad (int)    |
 *  |                 LFU/MFU aging period (long)                   |
 *  +---------------------------------------------------------------+ COUNTERS_OFFSET
 *  |   Counters: size, live bytes, hits, misses, puts, deletes,    |
 *  |   evictions, expirations, cleaned segments, relocated bytes   |
 *  +---------------------------------------------------------------+ LOG_STATE_OFFSET
 *  |   Entry high water mark, free entry head, head segment,       |
 *  |   head used bytes, free segment head, free segment count,     |
 *  |   sweep cursor, gets since start (drives the sweep on reads)   |
 *  +---------------------------------------------------------------+
 * </pre>
 * All fields are native-endian and written only by the store's single writer thread.
 */
final class StoreDescriptor
{
    /** "FERRITE1" as a little-endian long. */
    static final long MAGIC = 0x3145544952524546L;
    /**
     * Bumped on any change to any region's layout: files of another version are refused. Version 2: index slots point
     * at blocks, 16-byte entry records, expiry and checksum in the block. Version 3: 12-byte compact block header for
     * keys up to 256 bytes and values under 4 MiB.
     */
    static final int LAYOUT_VERSION = 3;
    /** The hash seed of new stores. */
    static final int DEFAULT_HASH_SEED = 0x5EED_F00D;

    static final int STATE_CLEAN = 0x434C4541;
    static final int STATE_OPEN = 0x4F50454E;

    static final int PAGE_SIZE = 4096;
    static final int HEADER_LENGTH = PAGE_SIZE;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + 8;
    static final int STATE_OFFSET = VERSION_OFFSET + 4;
    static final int POLICY_OFFSET = STATE_OFFSET + 4;
    static final int HASH_SEED_OFFSET = POLICY_OFFSET + 4;
    static final int CAPACITY_OFFSET = HASH_SEED_OFFSET + 4;
    static final int MAX_ENTRIES_OFFSET = CAPACITY_OFFSET + 8;
    static final int INDEX_SLOTS_OFFSET = MAX_ENTRIES_OFFSET + 8;
    static final int SEGMENT_SIZE_OFFSET = INDEX_SLOTS_OFFSET + 8;
    static final int SEGMENT_COUNT_OFFSET = SEGMENT_SIZE_OFFSET + 4;
    static final int META_LENGTH_OFFSET = SEGMENT_COUNT_OFFSET + 4;
    static final int DATA_LENGTH_OFFSET = META_LENGTH_OFFSET + 8;
    static final int FILL_RATIO_OFFSET = DATA_LENGTH_OFFSET + 8;
    static final int AGING_PERIOD_OFFSET = FILL_RATIO_OFFSET + 8;

    static final int COUNTERS_OFFSET = 128;
    static final int SIZE_COUNTER = COUNTERS_OFFSET;
    static final int LIVE_BYTES_COUNTER = SIZE_COUNTER + 8;
    static final int HITS_COUNTER = LIVE_BYTES_COUNTER + 8;
    static final int MISSES_COUNTER = HITS_COUNTER + 8;
    static final int PUTS_COUNTER = MISSES_COUNTER + 8;
    static final int DELETES_COUNTER = PUTS_COUNTER + 8;
    static final int EVICTIONS_COUNTER = DELETES_COUNTER + 8;
    static final int EXPIRATIONS_COUNTER = EVICTIONS_COUNTER + 8;
    static final int CLEANED_SEGMENTS_COUNTER = EXPIRATIONS_COUNTER + 8;
    static final int RELOCATED_BYTES_COUNTER = CLEANED_SEGMENTS_COUNTER + 8;
    static final int REJECTED_COUNTER = RELOCATED_BYTES_COUNTER + 8;
    static final int COUNTERS_END = REJECTED_COUNTER + 8;

    static final int LOG_STATE_OFFSET = 256;
    static final int ENTRY_HWM_OFFSET = LOG_STATE_OFFSET;
    static final int FREE_ENTRY_HEAD_OFFSET = ENTRY_HWM_OFFSET + 4;
    static final int HEAD_SEGMENT_OFFSET = FREE_ENTRY_HEAD_OFFSET + 4;
    static final int HEAD_USED_OFFSET = HEAD_SEGMENT_OFFSET + 4;
    static final int FREE_SEGMENT_HEAD_OFFSET = HEAD_USED_OFFSET + 4;
    static final int FREE_SEGMENT_COUNT_OFFSET = FREE_SEGMENT_HEAD_OFFSET + 4;
    static final int SWEEP_CURSOR_OFFSET = FREE_SEGMENT_COUNT_OFFSET + 4;
    static final int GET_COUNT_OFFSET = SWEEP_CURSOR_OFFSET + 4;
    static final int LOG_STATE_END = GET_COUNT_OFFSET + 4;

    private StoreDescriptor()
    {
    }

    static long align(final long value, final long alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
