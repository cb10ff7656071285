package io.ferrite.engine;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.ferrite.engine.StoreDescriptor.*;

/**
 * The header of an existing store, read and validated before anything is mapped.
 */
final class StoreHeader
{
    final int state;
    final EvictionPolicyType policy;
    final StoreLayout layout;
    private final long storedAgingPeriod;
    private final File metaFile;

    private StoreHeader(
        final int state,
        final EvictionPolicyType policy,
        final StoreLayout layout,
        final long storedAgingPeriod,
        final File metaFile)
    {
        this.state = state;
        this.policy = policy;
        this.layout = layout;
        this.storedAgingPeriod = storedAgingPeriod;
        this.metaFile = metaFile;
    }

    /**
     * Read and check the header of {@code metaFile} and the size of {@code dataFile}.
     *
     * @throws StoreCorruptedException if the files are not a store of this layout version or disagree.
     */
    static StoreHeader read(final File metaFile, final File dataFile)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.nativeOrder());
        final long metaFileLength;
        try (RandomAccessFile raf = new RandomAccessFile(metaFile, "r"))
        {
            metaFileLength = raf.length();
            if (metaFileLength < HEADER_LENGTH)
            {
                throw new StoreCorruptedException(metaFile + " is " + metaFileLength + " bytes, shorter than a header");
            }
            raf.getChannel().read(buffer, 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + metaFile, ex);
        }

        if (buffer.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new StoreCorruptedException(metaFile + " is not a Ferrite store (bad magic number)");
        }
        final int version = buffer.getInt(VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new StoreCorruptedException(metaFile + " has layout version " + version + " but this build reads " +
                "version " + LAYOUT_VERSION + " only" + (version < LAYOUT_VERSION ? " (stores are not converted: a " +
                "cache refills, so delete the directory, or keep using the Ferrite version that wrote it)" :
                "; open it with the newer Ferrite version that wrote it or delete it"));
        }
        final int state = buffer.getInt(STATE_OFFSET);
        if (state != STATE_CLEAN && state != STATE_OPEN)
        {
            throw new StoreCorruptedException(metaFile + " has an unknown state marker " + state);
        }
        final int policyOrdinal = buffer.getInt(POLICY_OFFSET);
        if (policyOrdinal < 0 || policyOrdinal >= EvictionPolicyType.values().length)
        {
            throw new StoreCorruptedException(metaFile + " names unknown eviction policy " + policyOrdinal);
        }
        final EvictionPolicyType policy = EvictionPolicyType.values()[policyOrdinal];
        final long capacity = buffer.getLong(CAPACITY_OFFSET);
        final long maxEntries = buffer.getLong(MAX_ENTRIES_OFFSET);
        final int segmentSize = buffer.getInt(SEGMENT_SIZE_OFFSET);
        final int segmentCount = buffer.getInt(SEGMENT_COUNT_OFFSET);
        if (maxEntries < 1 || maxEntries >= Integer.MAX_VALUE || segmentCount < StoreLayout.MIN_SEGMENTS ||
            segmentSize < StoreConfiguration.SEGMENT_SIZE_MIN || Integer.bitCount(segmentSize) != 1)
        {
            throw new StoreCorruptedException(metaFile + " has an impossible geometry: maxEntries=" + maxEntries +
                " segmentSize=" + segmentSize + " segmentCount=" + segmentCount);
        }
        final StoreLayout layout = new StoreLayout(capacity, maxEntries, segmentSize, segmentCount, policy);
        if (layout.indexSlots != buffer.getLong(INDEX_SLOTS_OFFSET) ||
            layout.metaLength != buffer.getLong(META_LENGTH_OFFSET) ||
            layout.dataLength != buffer.getLong(DATA_LENGTH_OFFSET) ||
            layout.totalLength() > capacity)
        {
            throw new StoreCorruptedException(metaFile + " has a header whose region sizes do not add up");
        }
        if (metaFileLength != layout.metaLength)
        {
            throw new StoreCorruptedException(metaFile + " is " + metaFileLength + " bytes; its header says " +
                layout.metaLength);
        }
        if (!dataFile.exists() || dataFile.length() != layout.dataLength)
        {
            throw new StoreCorruptedException(dataFile + " is missing or not " + layout.dataLength +
                " bytes as its meta file says (found " + dataFile.length() + ")");
        }
        return new StoreHeader(state, policy, layout, buffer.getLong(AGING_PERIOD_OFFSET), metaFile);
    }

    /**
     * Refuse settings asked for explicitly that the existing files contradict.
     */
    void checkAgainst(final StoreContext ctx)
    {
        mismatch("capacityBytes", ctx.capacityBytes(), layout.capacityBytes);
        mismatch("maxEntries", ctx.maxEntries(), layout.maxEntries);
        mismatch("segmentSize", ctx.segmentSize(), layout.segmentSize);
        if (null != ctx.policy() && ctx.policy() != policy)
        {
            throw new IllegalArgumentException("store " + metaFile.getParentFile() + " uses policy " + policy +
                ", not " + ctx.policy() + "; a store's policy is fixed when it is created");
        }
    }

    long agingPeriod(final StoreContext ctx)
    {
        return storedAgingPeriod;
    }

    private void mismatch(final String name, final long asked, final long existing)
    {
        if (asked != -1 && asked != 0 && asked != existing)
        {
            throw new IllegalArgumentException("store " + metaFile.getParentFile() + " was created with " + name +
                "=" + existing + " but " + asked + " was asked for; resizing is not supported: use the same value, " +
                "leave it unset, or delete the store");
        }
    }
}
