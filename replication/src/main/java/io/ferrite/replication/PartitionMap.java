package io.ferrite.replication;

import io.ferrite.codec.PartitionHash;

import java.util.Arrays;

/**
 * A copy of the partition map: the group that owns each partition, as of a map epoch. <b>Note:</b> immutable.
 */
public final class PartitionMap
{
    private final long epoch;
    private final int groupCount;
    private final int[] owners;

    public PartitionMap(final long epoch, final int groupCount, final int[] owners)
    {
        this.epoch = epoch;
        this.groupCount = groupCount;
        this.owners = owners.clone();
    }

    /**
     * The map a cluster starts with: partition {@code p} on group
     * {@link #initialOwner(int, int, int) p * groupCount / partitionCount} (contiguous ranges), epoch 1.
     */
    public static PartitionMap initial(final int partitionCount, final int groupCount)
    {
        final int[] owners = new int[PartitionHash.checkPartitionCount(partitionCount)];
        for (int p = 0; p < partitionCount; p++)
        {
            owners[p] = initialOwner(p, partitionCount, groupCount);
        }
        return new PartitionMap(1, groupCount, owners);
    }

    /**
     * The group partition {@code p} starts on: groups get contiguous, equal (within one) ranges.
     */
    public static int initialOwner(final int partition, final int partitionCount, final int groupCount)
    {
        return (int)((long)partition * groupCount / partitionCount);
    }

    public long epoch()
    {
        return epoch;
    }

    public int partitionCount()
    {
        return owners.length;
    }

    public int groupCount()
    {
        return groupCount;
    }

    public int owner(final int partition)
    {
        return owners[partition];
    }

    public int[] owners()
    {
        return owners.clone();
    }

    /**
     * The group that owns {@code key}.
     */
    public int ownerOf(final byte[] key)
    {
        return owners[PartitionHash.partition(key, owners.length)];
    }

    /**
     * Partitions per group.
     */
    public int[] counts()
    {
        final int[] counts = new int[groupCount];
        for (final int owner : owners)
        {
            counts[owner]++;
        }
        return counts;
    }

    /**
     * This map with {@code partition} given to {@code group} at {@code newEpoch}.
     */
    public PartitionMap with(final int partition, final int group, final long newEpoch)
    {
        final int[] copy = owners.clone();
        copy[partition] = group;
        return new PartitionMap(Math.max(epoch, newEpoch), groupCount, copy);
    }

    public String toString()
    {
        return "PartitionMap{epoch=" + epoch + ", groups=" + groupCount + ", counts=" + Arrays.toString(counts()) + "}";
    }
}
