package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * Walks every structure of a store and checks they agree: entry records with their blocks, the index with the
 * records, every policy list in both directions (no cycles, counts right, each live entry on exactly one list),
 * the free lists, and the byte and size counters with the segment table. Slow (it touches everything); for
 * tests and for operators, never on the request path.
 */
final class StoreVerifier
{
    private final FerriteStore store;
    private final StoreLayout layout;
    private final UnsafeBuffer header;
    private final EntryLists lists;

    StoreVerifier(final FerriteStore store)
    {
        this.store = store;
        this.layout = store.layout();
        this.header = store.header();
        this.lists = store.lists();
    }

    /**
     * @throws IllegalStateException describing the first inconsistency found.
     */
    void verify()
    {
        final int hwm = header.getInt(ENTRY_HWM_OFFSET);
        check(hwm >= 0 && hwm <= layout.maxEntries, "entry high water mark %d outside [0, %d]", hwm, layout.maxEntries);
        final int segmentShift = Integer.numberOfTrailingZeros(layout.segmentSize);
        final long[] segmentLive = new long[layout.segmentCount];
        long live = 0;
        long liveBytes = 0;
        final boolean[] seen = new boolean[hwm];

        final DataLog log = store.log();
        final EntryTable entries = store.entries();
        for (int entry = 0; entry < hwm; entry++)
        {
            final int word = entries.addressWord(entry);
            if (0 == word)
            {
                continue;
            }
            live++;
            final long block = entries.blockAddress(entry);
            final int segment = (int)(block >>> segmentShift);
            final int offset = (int)(block & (layout.segmentSize - 1));
            check(segment < layout.segmentCount, "entry %d block %d is outside the data file", entry, block);
            final UnsafeBuffer buffer = store.dataMemory().buffer(block);
            final int at = MappedMemory.offset(block);
            check(buffer.getInt(at + BlockDescriptor.ENTRY_OFFSET) == entry, "block of entry %d names owner %d", entry,
                buffer.getInt(at + BlockDescriptor.ENTRY_OFFSET));
            final int length = BlockDescriptor.lengthOf(buffer, at);
            check(offset + length <= log.used(segment),
                "entry %d block [%d, %d) lies past segment %d's used mark %d", entry, offset, offset + length, segment,
                log.used(segment));
            check(SegmentDescriptor.STATE_FREE != log.state(segment), "entry %d lives in free segment %d", entry,
                segment);
            check(BlockDescriptor.expires(buffer, at) == (0 != (word & EntryDescriptor.TTL_BIT)),
                "entry %d TTL bit disagrees with its block", entry);
            check(buffer.getInt(at + BlockDescriptor.CHECKSUM_OFFSET) == BlockDescriptor.checksumOf(buffer, at),
                "entry %d block at %d fails its checksum (damaged data)", entry, block);
            final int hash = Hashing.hash(buffer, BlockDescriptor.keyOffset(buffer, at),
                BlockDescriptor.keyLength(buffer, at), store.hashSeed());
            check(store.index().slotOf(hash, word & EntryDescriptor.ADDRESS_MASK) >= 0,
                "entry %d is not reachable through the index", entry);
            segmentLive[segment] += length;
            liveBytes += length;
        }

        long occupied = 0;
        for (long slot = 0; slot < layout.indexSlots; slot++)
        {
            final long value = store.index().get(slot);
            if (HashIndex.EMPTY != value)
            {
                occupied++;
                final long block = EntryTable.blockAddressOf(HashIndex.addressFieldOf(value));
                check(block >= 0 && block < layout.dataLength, "index slot %d names block %d outside the data file",
                    slot, block);
                final int entry = store.dataMemory().buffer(block).getInt(MappedMemory.offset(block) +
                    BlockDescriptor.ENTRY_OFFSET);
                check(entry >= 0 && entry < hwm && entries.addressField(entry) == HashIndex.addressFieldOf(value),
                    "index slot %d names a block whose entry %d is not live there", slot, entry);
                check(lists.hash(entry) == HashIndex.hashOf(value), "index slot %d hash disagrees with entry %d",
                    slot, entry);
            }
        }
        check(occupied == live, "index holds %d entries but %d records are live", occupied, live);
        check(header.getLong(SIZE_COUNTER) == live, "size counter %d but %d records are live",
            header.getLong(SIZE_COUNTER), live);
        check(header.getLong(LIVE_BYTES_COUNTER) == liveBytes, "live bytes counter %d but blocks add up to %d",
            header.getLong(LIVE_BYTES_COUNTER), liveBytes);

        long onLists = 0;
        final EvictionPolicy policy = store.policy();
        for (int i = 0; i < policy.listCount(); i++)
        {
            onLists += verifyList(policy, i, seen, hwm);
        }
        check(onLists == live, "policy lists hold %d entries but %d are live", onLists, live);

        int free = 0;
        for (int entry = header.getInt(FREE_ENTRY_HEAD_OFFSET); NULL_INDEX != entry; entry = lists.next(entry))
        {
            check(entry >= 0 && entry < hwm, "free entry list holds %d outside [0, %d)", entry, hwm);
            check(0 == store.entries().addressWord(entry), "free entry list holds live entry %d", entry);
            check(++free <= hwm, "free entry list has a cycle");
        }
        check(free + live == hwm, "%d free + %d live entries != high water mark %d", free, live, hwm);

        int freeSegments = 0;
        for (int s = header.getInt(FREE_SEGMENT_HEAD_OFFSET); NULL_INDEX != s;
            s = store.metaMemory().getInt(layout.segmentTableBase + (long)s * SegmentDescriptor.LENGTH +
                SegmentDescriptor.NEXT_FREE_OFFSET))
        {
            check(SegmentDescriptor.STATE_FREE == store.log().state(s), "segment %d on free list is not free", s);
            check(++freeSegments <= layout.segmentCount, "free segment list has a cycle");
        }
        check(freeSegments == header.getInt(FREE_SEGMENT_COUNT_OFFSET), "free segment count %d but list has %d",
            header.getInt(FREE_SEGMENT_COUNT_OFFSET), freeSegments);
        int heads = 0;
        for (int s = 0; s < layout.segmentCount; s++)
        {
            check(segmentLive[s] == store.log().live(s), "segment %d live bytes %d but its blocks add up to %d", s,
                store.log().live(s), segmentLive[s]);
            check(store.log().used(s) <= layout.segmentSize, "segment %d used %d > size", s, store.log().used(s));
            if (SegmentDescriptor.STATE_HEAD == store.log().state(s))
            {
                heads++;
                check(s == header.getInt(HEAD_SEGMENT_OFFSET), "segment %d is HEAD but header names %d", s,
                    header.getInt(HEAD_SEGMENT_OFFSET));
            }
        }
        check(1 == heads, "%d head segments", heads);
    }

    private long verifyList(final EvictionPolicy policy, final int listIndex, final boolean[] seen, final int hwm)
    {
        final long list = policy.list(listIndex);
        final int count = lists.count(list);
        int walked = 0;
        int prev = NULL_INDEX;
        for (int entry = lists.head(list); NULL_INDEX != entry; entry = lists.next(entry))
        {
            check(entry >= 0 && entry < hwm, "list %d holds entry %d outside [0, %d)", listIndex, entry, hwm);
            check(0 != store.entries().addressWord(entry), "list %d holds dead entry %d", listIndex, entry);
            check(!seen[entry], "entry %d is on a list twice (or a cycle in list %d)", entry, listIndex);
            seen[entry] = true;
            check(lists.prev(entry) == prev, "list %d: entry %d prev is %d, expected %d", listIndex, entry,
                lists.prev(entry), prev);
            final String problem = policy.check(entry, listIndex);
            check(null == problem, "%s", problem);
            prev = entry;
            walked++;
        }
        check(lists.tail(list) == prev, "list %d tail is %d but the walk ended at %d", listIndex, lists.tail(list),
            prev);
        check(walked == count, "list %d count is %d but %d entries were walked", listIndex, count, walked);
        return walked;
    }

    private static void check(final boolean condition, final String format, final Object... args)
    {
        if (!condition)
        {
            throw new IllegalStateException("store integrity: " + String.format(format, args));
        }
    }
}
