package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.ENTRY_HWM_OFFSET;
import static io.ferrite.engine.StoreDescriptor.FREE_ENTRY_HEAD_OFFSET;

/**
 * The entry table: fixed-size records addressed by int index, their address words, the free-record list and the
 * high water mark. The prev, next and policy fields belong to {@link EntryLists} and the policies.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class EntryTable
{
    private final MappedMemory meta;
    private final UnsafeBuffer header;
    private final long base;
    private final long maxEntries;

    EntryTable(final MappedMemory meta, final UnsafeBuffer header, final long base, final long maxEntries)
    {
        this.meta = meta;
        this.header = header;
        this.base = base;
        this.maxEntries = maxEntries;
    }

    static long blockAddressOf(final int addressField)
    {
        return ((addressField - 1) & 0xFFFF_FFFFL) << BlockDescriptor.ALIGNMENT_SHIFT;
    }

    static int addressField(final long blockAddress)
    {
        return (int)((blockAddress >>> BlockDescriptor.ALIGNMENT_SHIFT) + 1);
    }

    long record(final int entry)
    {
        return base + ((long)entry << EntryDescriptor.LENGTH_SHIFT);
    }

    /**
     * The address word: the {@link EntryDescriptor#TTL_BIT} and the block's address field, 0 if the entry is free.
     */
    int addressWord(final int entry)
    {
        return meta.getInt(record(entry) + EntryDescriptor.ADDRESS_OFFSET);
    }

    void addressWord(final int entry, final int word)
    {
        meta.putInt(record(entry) + EntryDescriptor.ADDRESS_OFFSET, word);
    }

    int addressField(final int entry)
    {
        return addressWord(entry) & EntryDescriptor.ADDRESS_MASK;
    }

    boolean isLive(final int entry)
    {
        return 0 != addressWord(entry);
    }

    long blockAddress(final int entry)
    {
        return blockAddressOf(addressField(entry));
    }

    int highWaterMark()
    {
        return header.getInt(ENTRY_HWM_OFFSET);
    }

    void reset()
    {
        header.putInt(ENTRY_HWM_OFFSET, 0);
        header.putInt(FREE_ENTRY_HEAD_OFFSET, NULL_INDEX);
    }

    /**
     * Whether every record is in use (a new entry needs an eviction first).
     */
    boolean isFull()
    {
        return NULL_INDEX == header.getInt(FREE_ENTRY_HEAD_OFFSET) && highWaterMark() >= maxEntries;
    }

    int freeHead()
    {
        return header.getInt(FREE_ENTRY_HEAD_OFFSET);
    }

    int nextFree(final int entry)
    {
        return meta.getInt(record(entry) + EntryDescriptor.NEXT_OFFSET);
    }

    void pushFree(final int entry)
    {
        meta.putInt(record(entry) + EntryDescriptor.NEXT_OFFSET, header.getInt(FREE_ENTRY_HEAD_OFFSET));
        header.putInt(FREE_ENTRY_HEAD_OFFSET, entry);
    }

    /**
     * A free record (the caller makes sure there is one, see {@link #isFull()}).
     */
    int take()
    {
        final int free = header.getInt(FREE_ENTRY_HEAD_OFFSET);
        if (NULL_INDEX != free)
        {
            header.putInt(FREE_ENTRY_HEAD_OFFSET, nextFree(free));
            return free;
        }
        final int hwm = highWaterMark();
        // A record past the mark may hold a stale address from before a clear: make it free before it counts.
        addressWord(hwm, 0);
        header.putInt(ENTRY_HWM_OFFSET, hwm + 1);
        return hwm;
    }

    /**
     * Fresh record contents for a new entry: unlinked, policy word zero, pointing at its block.
     */
    void init(final int entry, final int addressWord)
    {
        final long record = record(entry);
        meta.putLong(record + EntryDescriptor.PREV_OFFSET, -1L);
        meta.putInt(record + EntryDescriptor.POLICY_OFFSET, 0);
        meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, addressWord);
    }
}
