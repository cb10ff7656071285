package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * Rebuilds a store that was not closed cleanly from its entry records, trusting nothing else.
 * <p>
 * A record is kept only if its address names a block inside one segment whose header points back at the record,
 * whose lengths are sane, whose checksum matches its bytes, whose TTL has not passed and whose key no earlier record
 * holds. Blocks are written before they are published, an update publishes value and expiry together with one store
 * of the address, and an entry's address is cleared before anything else when it is removed, so every record that
 * passes holds a value, with its own TTL, that a put completed. The index, policy lists, free lists, segment table
 * and size counters are then derived from the kept records.
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
        final MappedMemory data = store.dataMemory();
        final EntryTable entries = store.entries();
        final DataLog log = store.log();
        final HashIndex index = store.index();
        final EvictionPolicy policy = store.policy();
        final int hwm = (int)Math.max(0, Math.min(layout.maxEntries, header.getInt(ENTRY_HWM_OFFSET)));
        final long now = store.clock().time();

        index.clear();
        policy.reset();
        for (int s = 0; s < layout.segmentCount; s++)
        {
            log.used(s, 0);
            log.live(s, 0);
            log.state(s, SegmentDescriptor.STATE_SEALED);
        }
        header.putInt(ENTRY_HWM_OFFSET, hwm);
        header.putInt(FREE_ENTRY_HEAD_OFFSET, NULL_INDEX);
        header.putInt(SWEEP_CURSOR_OFFSET, 0);
        long size = 0;
        long liveBytes = 0;
        int dropped = 0;

        for (int entry = 0; entry < hwm; entry++)
        {
            final int word = entries.addressWord(entry);
            if (0 == word)
            {
                continue;
            }
            final long block = EntryTable.blockAddressOf(word & EntryDescriptor.ADDRESS_MASK);
            final int length = soundLength(store, entry, block, word);
            if (length <= 0)
            {
                entries.addressWord(entry, 0);
                dropped++;
                continue;
            }
            final UnsafeBuffer buffer = data.buffer(block);
            final int offset = MappedMemory.offset(block);
            final long expireAt = BlockDescriptor.expireAt(buffer, offset);
            final int keyOffset = BlockDescriptor.keyOffset(buffer, offset);
            final int keyLength = BlockDescriptor.keyLength(buffer, offset);
            final int hash = Hashing.hash(buffer, keyOffset, keyLength, store.hashSeed());
            if ((0 != expireAt && expireAt <= now) || NULL_INDEX != store.lookup(buffer, keyOffset, keyLength, hash))
            {
                entries.addressWord(entry, 0);
                dropped++;
                continue;
            }
            index.set(index.freeSlot(hash), hash, word & EntryDescriptor.ADDRESS_MASK);
            final int segment = log.segmentOf(block);
            final int end = (int)(block & (layout.segmentSize - 1)) + length;
            log.used(segment, Math.max(log.used(segment), end));
            log.live(segment, log.live(segment) + length);
            policy.onInsert(entry);
            size++;
            liveBytes += length;
        }
        for (int entry = hwm - 1; entry >= 0; entry--)
        {
            if (!entries.isLive(entry))
            {
                entries.pushFree(entry);
            }
        }

        header.putInt(FREE_SEGMENT_HEAD_OFFSET, NULL_INDEX);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, 0);
        int roomiest = NULL_INDEX;
        for (int s = layout.segmentCount - 1; s >= 0; s--)
        {
            if (0 == log.live(s))
            {
                log.pushFree(s);
            }
            else if (NULL_INDEX == roomiest || log.used(s) < log.used(roomiest))
            {
                roomiest = s;
            }
        }
        final int head;
        if (log.freeCount() > 0)
        {
            head = log.popFree();
        }
        else
        {
            head = roomiest;
            log.state(head, SegmentDescriptor.STATE_HEAD);
        }
        header.putInt(HEAD_SEGMENT_OFFSET, head);
        header.putLong(SIZE_COUNTER, size);
        header.putLong(LIVE_BYTES_COUNTER, liveBytes);
        return dropped;
    }

    /**
     * The length of the block at {@code block} if it is a sound block of {@code entry}, else 0.
     */
    static int soundLength(final FerriteStore store, final int entry, final long block, final int word)
    {
        final StoreLayout layout = store.layout();
        if (block < 0 || block + BlockDescriptor.MAX_HEADER_LENGTH > layout.dataLength)
        {
            return 0;
        }
        final UnsafeBuffer buffer = store.dataMemory().buffer(block);
        final int offset = MappedMemory.offset(block);
        final int valueLength = BlockDescriptor.valueLength(buffer, offset);
        final boolean expires = BlockDescriptor.expires(buffer, offset);
        if (buffer.getInt(offset + BlockDescriptor.ENTRY_OFFSET) != entry || valueLength < 0 ||
            valueLength > layout.segmentSize || expires != (0 != (word & EntryDescriptor.TTL_BIT)))
        {
            return 0;
        }
        final int length = BlockDescriptor.lengthOf(buffer, offset);
        if ((block & (layout.segmentSize - 1)) + length > layout.segmentSize ||
            buffer.getInt(offset + BlockDescriptor.CHECKSUM_OFFSET) != BlockDescriptor.checksumOf(buffer, offset))
        {
            return 0;
        }
        return length;
    }
}
