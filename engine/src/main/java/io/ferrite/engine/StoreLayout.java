package io.ferrite.engine;

import static io.ferrite.engine.StoreDescriptor.HEADER_LENGTH;
import static io.ferrite.engine.StoreDescriptor.PAGE_SIZE;
import static io.ferrite.engine.StoreDescriptor.align;

/**
 * Geometry of a store: where each region of the meta file starts and how the data file is cut into segments,
 * all derived from the capacity, the maximum entries, the segment size and the policy.
 * <p>
 * Meta file: header | policy region | segment table | hash index | entry table, each page aligned.
 * Data file: {@code segmentCount} segments of {@code segmentSize} bytes. Both files together fit the capacity.
 */
final class StoreLayout
{
    /** Index slots per entry: a maximum load factor of 0.8. */
    static final double SLOTS_PER_ENTRY = 1.25;
    static final int MIN_SEGMENTS = 4;

    final long capacityBytes;
    final long maxEntries;
    final long indexSlots;
    final int segmentSize;
    final int segmentCount;
    final long policyBase;
    final long segmentTableBase;
    final long indexBase;
    final long entriesBase;
    final long metaLength;
    final long dataLength;

    StoreLayout(
        final long capacityBytes,
        final long maxEntries,
        final int segmentSize,
        final int segmentCount,
        final EvictionPolicyType policy)
    {
        this.capacityBytes = capacityBytes;
        this.maxEntries = maxEntries;
        this.indexSlots = indexSlots(maxEntries);
        this.segmentSize = segmentSize;
        this.segmentCount = segmentCount;
        policyBase = HEADER_LENGTH;
        segmentTableBase = policyBase + align(EvictionPolicy.regionLength(policy, maxEntries), PAGE_SIZE);
        indexBase = segmentTableBase + align((long)segmentCount * SegmentDescriptor.LENGTH, PAGE_SIZE);
        entriesBase = indexBase + align(indexSlots * HashIndex.SLOT_LENGTH, PAGE_SIZE);
        metaLength = entriesBase + align(maxEntries * EntryDescriptor.LENGTH, PAGE_SIZE);
        dataLength = (long)segmentSize * segmentCount;
    }

    static long indexSlots(final long maxEntries)
    {
        return (long)Math.ceil(maxEntries * SLOTS_PER_ENTRY) + 1;
    }

    /**
     * Lay out a new store within {@code capacityBytes}.
     *
     * @param maxEntries  0 to derive from the capacity.
     * @param segmentSize 0 to derive from the capacity.
     * @throws IllegalArgumentException if the capacity cannot hold the metadata and a few segments.
     */
    static StoreLayout create(
        final long capacityBytes, final long maxEntries, final int segmentSize, final EvictionPolicyType policy)
    {
        final long entries = maxEntries > 0 ? maxEntries :
            Math.max(16, capacityBytes / StoreConfiguration.AVERAGE_ENTRY_BYTES);
        final long fixed = HEADER_LENGTH + align(EvictionPolicy.regionLength(policy, entries), PAGE_SIZE) +
            align(indexSlots(entries) * HashIndex.SLOT_LENGTH, PAGE_SIZE) +
            align(entries * EntryDescriptor.LENGTH, PAGE_SIZE);
        final long forData = capacityBytes - fixed - PAGE_SIZE;
        int size = segmentSize;
        if (size <= 0)
        {
            final long target = Math.max(StoreConfiguration.SEGMENT_SIZE_MIN, forData / 16);
            size = (int)Math.min(StoreConfiguration.SEGMENT_SIZE_MAX_DEFAULT, Long.highestOneBit(target));
        }
        long count = forData / (size + SegmentDescriptor.LENGTH);
        while (count > 0 && new StoreLayout(capacityBytes, entries, size, (int)count, policy).totalLength() >
            capacityBytes)
        {
            count--;
        }
        if (count < MIN_SEGMENTS || count > Integer.MAX_VALUE || (long)size * count >= (1L << 34))
        {
            throw new IllegalArgumentException(
                "capacity of " + capacityBytes + " bytes cannot hold " + entries + " entries of metadata (" + fixed +
                " bytes) plus at least " + MIN_SEGMENTS + " data segments of " + size + " bytes, and " +
                "less than 16 GiB of data; raise capacityBytes or lower maxEntries/segmentSize");
        }
        return new StoreLayout(capacityBytes, entries, size, (int)count, policy);
    }

    long totalLength()
    {
        return metaLength + dataLength;
    }

    /**
     * The most bytes live blocks may take: the log minus two segments (head and cleaning reserve), times the
     * fill ratio.
     */
    long liveLimit(final double fillRatio)
    {
        return (long)((segmentCount - 2) * (double)segmentSize * fillRatio);
    }
}
