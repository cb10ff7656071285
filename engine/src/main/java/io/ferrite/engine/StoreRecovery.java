package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * Rebuilds a store that was not closed cleanly from its entry records, trusting nothing else.
 * <p>
 * A record is kept only if its address names a block inside one segment whose header points back at the record,
 * whose lengths agree with the record, whose key hashes to the record's hash, whose TTL has not passed and whose
 * key no earlier record holds. Blocks are written before they are published and an entry's address is cleared
 * before anything else when it is removed, so every record that passes holds a value a put completed. The index,
 * policy lists, free lists, segment table and size counters are then derived from the kept records.
 */
final class StoreRecovery
{
    private StoreRecovery()
    {
    }

    /**
     * @return the number of records dropped.
     */
    static int rebuild(final FerriteStore store)
    {
        final StoreLayout layout = store.layout();
        final UnsafeBuffer header = store.header();
        final MappedMemory meta = store.metaMemory();
        final MappedMemory data = store.dataMemory();
        final EntryLists lists = store.lists();
        final int segmentShift = Integer.numberOfTrailingZeros(layout.segmentSize);
        final int hwm = (int)Math.max(0, Math.min(layout.maxEntries, header.getInt(ENTRY_HWM_OFFSET)));
        final long now = store.clock().time();

        store.index().clear();
        store.policy().reset();
        for (int s = 0; s < layout.segmentCount; s++)
        {
            store.segmentUsed(s, 0);
            store.segmentLive(s, 0);
            store.segmentState(s, SegmentDescriptor.STATE_SEALED);
        }
        header.putInt(ENTRY_HWM_OFFSET, hwm);
        header.putInt(FREE_ENTRY_HEAD_OFFSET, NULL_INDEX);
        header.putInt(SWEEP_CURSOR_OFFSET, 0);
        long size = 0;
        long liveBytes = 0;
        int dropped = 0;

        for (int entry = 0; entry < hwm; entry++)
        {
            final int addressField = store.addressFieldOf(entry);
            if (0 == addressField)
            {
                continue;
            }
            final long record = lists.entryAddress(entry);
            final long block = FerriteStore.blockAddressOf(addressField);
            final int length = meta.getInt(record + EntryDescriptor.BLOCK_LENGTH_OFFSET);
            final int hash = meta.getInt(record + EntryDescriptor.HASH_OFFSET);
            final long expireAt = meta.getLong(record + EntryDescriptor.EXPIRE_AT_OFFSET);
            if (!blockIsSound(store, entry, block, length, hash) || (0 != expireAt && expireAt <= now))
            {
                meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, 0);
                dropped++;
                continue;
            }
            final UnsafeBuffer buffer = data.buffer(block);
            final int offset = MappedMemory.offset(block);
            final int keyLength = buffer.getInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET);
            if (NULL_INDEX != store.lookup(buffer, offset + BlockDescriptor.HEADER_LENGTH, keyLength, hash))
            {
                meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, 0);
                dropped++;
                continue;
            }
            store.index().set(store.index().freeSlot(hash), hash, entry);
            final int segment = (int)(block >>> segmentShift);
            final int end = (int)(block & (layout.segmentSize - 1)) + length;
            store.segmentUsed(segment, Math.max(store.segmentUsed(segment), end));
            store.segmentLive(segment, store.segmentLive(segment) + length);
            store.policy().onInsert(entry);
            size++;
            liveBytes += length;
        }
        for (int entry = hwm - 1; entry >= 0; entry--)
        {
            if (0 == store.addressFieldOf(entry))
            {
                store.pushFreeEntry(entry);
            }
        }

        header.putInt(FREE_SEGMENT_HEAD_OFFSET, NULL_INDEX);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, 0);
        int roomiest = NULL_INDEX;
        for (int s = layout.segmentCount - 1; s >= 0; s--)
        {
            if (0 == store.segmentLive(s))
            {
                store.pushFreeSegment(s);
            }
            else if (NULL_INDEX == roomiest || store.segmentUsed(s) < store.segmentUsed(roomiest))
            {
                roomiest = s;
            }
        }
        final int head;
        if (header.getInt(FREE_SEGMENT_COUNT_OFFSET) > 0)
        {
            head = store.popFreeSegment();
        }
        else
        {
            head = roomiest;
            store.segmentState(head, SegmentDescriptor.STATE_HEAD);
        }
        header.putInt(HEAD_SEGMENT_OFFSET, head);
        header.putLong(SIZE_COUNTER, size);
        header.putLong(LIVE_BYTES_COUNTER, liveBytes);
        return dropped;
    }

    private static boolean blockIsSound(
        final FerriteStore store, final int entry, final long block, final int length, final int hash)
    {
        final StoreLayout layout = store.layout();
        if (block < 0 || block + BlockDescriptor.HEADER_LENGTH > layout.dataLength || length <= 0 ||
            (block & (layout.segmentSize - 1)) + length > layout.segmentSize)
        {
            return false;
        }
        final UnsafeBuffer buffer = store.dataMemory().buffer(block);
        final int offset = MappedMemory.offset(block);
        final int keyLength = buffer.getInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET);
        final int valueLength = buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET);
        return buffer.getInt(offset + BlockDescriptor.ENTRY_OFFSET) == entry &&
            keyLength > 0 && keyLength <= StoreConfiguration.MAX_KEY_LENGTH && valueLength >= 0 &&
            (long)keyLength + valueLength <= layout.segmentSize &&
            BlockDescriptor.blockLength(keyLength, valueLength) == length &&
            Hashing.hash(buffer, offset + BlockDescriptor.HEADER_LENGTH, keyLength, store.hashSeed()) == hash;
    }
}
