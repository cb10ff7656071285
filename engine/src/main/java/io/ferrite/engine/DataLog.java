package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * The data log: the data file cut into equal segments, the segment table that describes them, block allocation at
 * the head segment and the cleaner that compacts sealed segments.
 * <p>
 * Blocks are appended to the head segment and never changed in place. When the head is full a free segment becomes
 * the head; when only the reserve segment is free, the cleaner picks the sealed segment with the fewest live bytes
 * (the per-segment liveness in the segment table), moves its live blocks to the head and frees it. It examines the
 * victim's blocks in batches of {@link #CLEAN_BATCH}: first every owner's entry record, then every live block's index
 * slot, each pass a run of independent loads whose misses overlap, and only then moves them. Live bytes are kept under
 * the log's fill ratio by evicting before an append, so there is always a segment worth cleaning.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class DataLog
{
    /**
     * What the log needs from the store: evictions to make room and the owner of a block it moves.
     */
    /**
     * Blocks the cleaner examines together: their entry records, then their index slots, are loaded in passes of
     * independent loads before any is moved.
     */
    static final int CLEAN_BATCH = 32;

    interface Owner
    {
        /**
         * Evict the policy's next victim; false if there is none.
         */
        boolean evictOne();

        /**
         * The hash of the key in the live block at {@code block}, after loading the block's index slot into cache
         * (the cleaner calls this for a batch of blocks before it moves them, so the loads overlap).
         */
        int prepareRelocation(long block);

        /**
         * The live block of {@code entry}, whose key has {@code hash}, moved from {@code from} to {@code to}: repoint
         * the entry and its index slot.
         */
        void relocated(int entry, long from, long to, int hash);

        /**
         * The block of {@code entry} could not be moved: remove the entry as evicted.
         */
        void dropped(int entry);

        /**
         * Segment {@code segment} with {@code used} bytes is about to be freed and reused (a snapshot may still need
         * its blocks).
         */
        void freeing(int segment, int used);
    }

    private final StoreLayout layout;
    private final MappedMemory meta;
    private final MappedMemory data;
    private final UnsafeBuffer header;
    private final StoreCounters counters;
    private final EntryTable entries;
    private final int segmentSize;
    private final int segmentShift;
    private final long liveLimit;
    private final long[] batchBlocks = new long[CLEAN_BATCH];
    private final int[] batchEntries = new int[CLEAN_BATCH];
    private final int[] batchHashes = new int[CLEAN_BATCH];
    private Owner owner;
    private long sink;

    DataLog(
        final StoreLayout layout,
        final MappedMemory meta,
        final MappedMemory data,
        final StoreCounters counters,
        final EntryTable entries,
        final long liveLimit)
    {
        this.layout = layout;
        this.meta = meta;
        this.data = data;
        this.header = meta.buffer(0);
        this.counters = counters;
        this.entries = entries;
        this.segmentSize = layout.segmentSize;
        this.segmentShift = Integer.numberOfTrailingZeros(layout.segmentSize);
        this.liveLimit = liveLimit;
    }

    void owner(final Owner owner)
    {
        this.owner = owner;
    }

    long liveLimit()
    {
        return liveLimit;
    }

    int segmentSize()
    {
        return segmentSize;
    }

    int segmentOf(final long block)
    {
        return (int)(block >>> segmentShift);
    }

    long segmentBase(final int segment)
    {
        return (long)segment << segmentShift;
    }

    int headSegment()
    {
        return header.getInt(HEAD_SEGMENT_OFFSET);
    }

    /**
     * Empty the log: every segment free, one of them the head.
     */
    void reset()
    {
        resetSegments();
        header.putInt(HEAD_SEGMENT_OFFSET, popFree());
    }

    void resetSegments()
    {
        header.putInt(FREE_SEGMENT_HEAD_OFFSET, NULL_INDEX);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, 0);
        for (int s = layout.segmentCount - 1; s >= 0; s--)
        {
            if (null != owner && SegmentDescriptor.STATE_FREE != state(s))
            {
                owner.freeing(s, used(s));
            }
            used(s, 0);
            live(s, 0);
            pushFree(s);
        }
    }

    int used(final int segment)
    {
        return meta.getInt(record(segment) + SegmentDescriptor.USED_OFFSET);
    }

    void used(final int segment, final int used)
    {
        meta.putInt(record(segment) + SegmentDescriptor.USED_OFFSET, used);
    }

    int live(final int segment)
    {
        return meta.getInt(record(segment) + SegmentDescriptor.LIVE_OFFSET);
    }

    void live(final int segment, final int live)
    {
        meta.putInt(record(segment) + SegmentDescriptor.LIVE_OFFSET, live);
    }

    int state(final int segment)
    {
        return meta.getInt(record(segment) + SegmentDescriptor.STATE_OFFSET);
    }

    void state(final int segment, final int state)
    {
        meta.putInt(record(segment) + SegmentDescriptor.STATE_OFFSET, state);
    }

    int nextFree(final int segment)
    {
        return meta.getInt(record(segment) + SegmentDescriptor.NEXT_FREE_OFFSET);
    }

    int freeHead()
    {
        return header.getInt(FREE_SEGMENT_HEAD_OFFSET);
    }

    int freeCount()
    {
        return header.getInt(FREE_SEGMENT_COUNT_OFFSET);
    }

    /**
     * A block of {@code length} bytes at {@code block} is no longer live.
     */
    void released(final long block, final int length)
    {
        final int segment = segmentOf(block);
        live(segment, live(segment) - length);
    }

    void pushFree(final int segment)
    {
        state(segment, SegmentDescriptor.STATE_FREE);
        used(segment, 0);
        live(segment, 0);
        meta.putInt(record(segment) + SegmentDescriptor.NEXT_FREE_OFFSET, header.getInt(FREE_SEGMENT_HEAD_OFFSET));
        header.putInt(FREE_SEGMENT_HEAD_OFFSET, segment);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, header.getInt(FREE_SEGMENT_COUNT_OFFSET) + 1);
    }

    int popFree()
    {
        final int segment = header.getInt(FREE_SEGMENT_HEAD_OFFSET);
        header.putInt(FREE_SEGMENT_HEAD_OFFSET, nextFree(segment));
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, header.getInt(FREE_SEGMENT_COUNT_OFFSET) - 1);
        state(segment, SegmentDescriptor.STATE_HEAD);
        used(segment, 0);
        live(segment, 0);
        return segment;
    }

    /**
     * Reserve {@code length} bytes in the head segment, evicting and cleaning as needed.
     *
     * @return the byte address of the reserved block in the data file.
     */
    long allocate(final int length)
    {
        while (counters.get(LIVE_BYTES_COUNTER) + length > liveLimit)
        {
            if (!owner.evictOne())
            {
                break;
            }
        }
        int attempts = 0;
        while (true)
        {
            final int head = headSegment();
            final int used = used(head);
            if (used + length <= segmentSize)
            {
                used(head, used + length);
                live(head, live(head) + length);
                return segmentBase(head) + used;
            }
            if (freeCount() > 1)
            {
                replaceHead();
            }
            else if (++attempts > 2 * layout.segmentCount || !clean())
            {
                if (!owner.evictOne())
                {
                    throw new IllegalStateException("data log has no room for " + length + " bytes and nothing " +
                        "left to evict: " + counters.stats());
                }
            }
        }
    }

    private void replaceHead()
    {
        state(headSegment(), SegmentDescriptor.STATE_SEALED);
        header.putInt(HEAD_SEGMENT_OFFSET, popFree());
    }

    /**
     * Compact the sealed segment with the fewest live bytes into the head and free it.
     *
     * @return false if no sealed segment has anything to reclaim.
     */
    private boolean clean()
    {
        int victim = NULL_INDEX;
        int victimLive = Integer.MAX_VALUE;
        for (int s = 0; s < layout.segmentCount; s++)
        {
            if (SegmentDescriptor.STATE_SEALED == state(s))
            {
                final int live = live(s);
                if (live < victimLive)
                {
                    victim = s;
                    victimLive = live;
                }
            }
        }
        if (NULL_INDEX == victim || victimLive >= used(victim))
        {
            return false;
        }

        final long base = segmentBase(victim);
        final int used = used(victim);
        owner.freeing(victim, used);
        long relocated = 0;
        int position = 0;
        while (position < used)
        {
            // Pass 1: walk the block headers (sequential) and load each owner's address word (independent misses).
            final int hwm = entries.highWaterMark();
            long touched = 0;
            int n = 0;
            while (position < used && n < CLEAN_BATCH)
            {
                final long block = base + position;
                final UnsafeBuffer buffer = data.buffer(block);
                final int offset = MappedMemory.offset(block);
                final int entry = buffer.getInt(offset + BlockDescriptor.ENTRY_OFFSET);
                batchBlocks[n] = block;
                batchEntries[n++] = entry;
                if (entry >= 0 && entry < hwm)
                {
                    touched += entries.addressWord(entry);
                }
                position += BlockDescriptor.lengthOf(buffer, offset);
            }
            // Pass 2: keep the live blocks and load their index slots (independent misses again).
            int live = 0;
            for (int i = 0; i < n; i++)
            {
                final int entry = batchEntries[i];
                final long block = batchBlocks[i];
                if (entry >= 0 && entry < hwm && entries.addressField(entry) == EntryTable.addressField(block))
                {
                    batchBlocks[live] = block;
                    batchEntries[live] = entry;
                    batchHashes[live++] = owner.prepareRelocation(block);
                }
            }
            sink += touched;
            // Pass 3: move them, their records and slots now in cache.
            for (int i = 0; i < live; i++)
            {
                final long block = batchBlocks[i];
                final int entry = batchEntries[i];
                if (entries.addressField(entry) == EntryTable.addressField(block))
                {
                    final int length = BlockDescriptor.lengthOf(data.buffer(block), MappedMemory.offset(block));
                    if (relocate(entry, block, length, batchHashes[i]))
                    {
                        relocated += length;
                    }
                }
            }
        }
        pushFree(victim);
        counters.increment(CLEANED_SEGMENTS_COUNTER);
        counters.add(RELOCATED_BYTES_COUNTER, relocated);
        return true;
    }

    private boolean relocate(final int entry, final long from, final int length, final int hash)
    {
        int head = headSegment();
        int used = used(head);
        if (used + length > segmentSize)
        {
            if (0 == freeCount())
            {
                owner.dropped(entry);
                return false;
            }
            replaceHead();
            head = headSegment();
            used = 0;
        }
        final long to = segmentBase(head) + used;
        data.buffer(to).putBytes(MappedMemory.offset(to), data.buffer(from), MappedMemory.offset(from), length);
        used(head, used + length);
        live(head, live(head) + length);
        released(from, length);
        owner.relocated(entry, from, to, hash);
        return true;
    }

    /**
     * Folds the values of the cleaner's warming loads, so the compiler keeps them.
     */
    long sink()
    {
        return sink;
    }

    private long record(final int segment)
    {
        return layout.segmentTableBase + (long)segment * SegmentDescriptor.LENGTH;
    }
}
