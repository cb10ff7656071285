package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.StoreDescriptor.*;

/**
 * The store's image: its meta file followed by its data file, read and written by position. Every piece of state,
 * policy order and frequencies included, is in the image, so two stores with equal images behave identically from
 * then on.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class StoreImage
{
    private final StoreLayout layout;
    private final MappedMemory meta;
    private final MappedMemory data;

    StoreImage(final StoreLayout layout, final MappedMemory meta, final MappedMemory data)
    {
        this.layout = layout;
        this.meta = meta;
        this.data = data;
    }

    long length()
    {
        return layout.metaLength + layout.dataLength;
    }

    void read(final long position, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = position + done;
            final MappedMemory memory = at < layout.metaLength ? meta : data;
            final long address = at < layout.metaLength ? at : at - layout.metaLength;
            final int run = run(memory, address, length - done);
            memory.buffer(address).getBytes(MappedMemory.offset(address), dst, dstOffset + done, run);
            done += run;
        }
    }

    void write(final long position, final DirectBuffer src, final int srcOffset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = position + done;
            final MappedMemory memory = at < layout.metaLength ? meta : data;
            final long address = at < layout.metaLength ? at : at - layout.metaLength;
            final int run = run(memory, address, length - done);
            memory.buffer(address).putBytes(MappedMemory.offset(address), src, srcOffset + done, run);
            done += run;
        }
    }

    void clear()
    {
        meta.zero(0, layout.metaLength);
        data.zero(0, layout.dataLength);
    }

    /**
     * Whether the header now in the meta mapping is a store of this layout version with this geometry and policy.
     */
    boolean matches(final int policyOrdinal, final int hashSeed)
    {
        final UnsafeBuffer header = meta.buffer(0);
        return header.getLong(MAGIC_OFFSET) == MAGIC && header.getInt(VERSION_OFFSET) == LAYOUT_VERSION &&
            header.getLong(CAPACITY_OFFSET) == layout.capacityBytes &&
            header.getLong(MAX_ENTRIES_OFFSET) == layout.maxEntries &&
            header.getInt(SEGMENT_SIZE_OFFSET) == layout.segmentSize &&
            header.getInt(SEGMENT_COUNT_OFFSET) == layout.segmentCount &&
            header.getInt(POLICY_OFFSET) == policyOrdinal &&
            header.getInt(HASH_SEED_OFFSET) == hashSeed;
    }

    static int run(final MappedMemory memory, final long address, final int remaining)
    {
        final long toChunkEnd = MappedMemory.CHUNK_LENGTH - MappedMemory.offset(address);
        final long toRegionEnd = memory.length() - address;
        return (int)Math.min(remaining, Math.min(toChunkEnd, toRegionEnd));
    }
}
