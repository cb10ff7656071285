package io.ferrite.replication;

import io.ferrite.codec.PartitionHash;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * One group's view of the partition map, as replicated state: for each partition the group it belongs to and
 * this group's part in it (owns it, does not, sends it away, has frozen it for the cut-over, or receives it).
 * <p>
 * At creation partition {@code p} belongs to group
 * {@link PartitionMap#initialOwner} (contiguous ranges), with map epoch 1. Group 0's table is the
 * authoritative map: only group 0 assigns a partition to a new group, and every assignment increases the epoch.
 * The other groups learn owners when a move involving them is cut over, so what they know of other partitions is
 * a hint, good enough to redirect a client (the target redirects again if the hint is old). A table with no
 * partitions ({@link #standalone}) owns every key: a group outside a partitioned cluster.
 * <b>Note:</b> not thread-safe; changed only on the service thread.
 */
final class PartitionTable
{
    static final byte OWNED = 0;
    static final byte NOT_OWNED = 1;
    static final byte OUTGOING = 2;
    static final byte FROZEN = 3;
    static final byte INCOMING = 4;

    private final int group;
    private final int partitionCount;
    private final int groupCount;
    private final int[] owner;
    private final byte[] state;
    private final long[] ingestSequence;
    private final Int2ObjectHashMap<MovingPartition> moving = new Int2ObjectHashMap<>();
    private long mapEpoch = 1;

    PartitionTable(final int group, final int partitionCount, final int groupCount)
    {
        this.group = group;
        this.partitionCount = partitionCount;
        this.groupCount = groupCount;
        owner = new int[partitionCount];
        state = new byte[partitionCount];
        ingestSequence = new long[partitionCount];
        for (int p = 0; p < partitionCount; p++)
        {
            owner[p] = PartitionMap.initialOwner(p, partitionCount, groupCount);
            state[p] = owner[p] == group ? OWNED : NOT_OWNED;
        }
    }

    /**
     * The table of a group that is not part of a partitioned cluster: it serves every key.
     */
    static PartitionTable standalone(final int group)
    {
        return new PartitionTable(group, 0, 1);
    }

    boolean isPartitioned()
    {
        return partitionCount > 0;
    }

    int group()
    {
        return group;
    }

    int partitionCount()
    {
        return partitionCount;
    }

    int groupCount()
    {
        return groupCount;
    }

    int partitionOf(final DirectBuffer key, final int offset, final int length)
    {
        return PartitionHash.partition(key, offset, length, partitionCount);
    }

    byte state(final int partition)
    {
        return state[partition];
    }

    void state(final int partition, final byte newState)
    {
        state[partition] = newState;
    }

    int owner(final int partition)
    {
        return owner[partition];
    }

    /**
     * Record that {@code partition} belongs to {@code group} as of {@code epoch}.
     */
    void owner(final int partition, final int group, final long epoch)
    {
        owner[partition] = group;
        mapEpoch = Math.max(mapEpoch, epoch);
    }

    long mapEpoch()
    {
        return mapEpoch;
    }

    void mapEpoch(final long epoch)
    {
        mapEpoch = epoch;
    }

    long ingestSequence(final int partition)
    {
        return ingestSequence[partition];
    }

    void ingestSequence(final int partition, final long sequence)
    {
        ingestSequence[partition] = sequence;
    }

    /**
     * The source-side tracking of a partition being moved away, or null.
     */
    MovingPartition moving(final int partition)
    {
        return moving.get(partition);
    }

    MovingPartition startMoving(final int partition)
    {
        final MovingPartition m = new MovingPartition();
        moving.put(partition, m);
        return m;
    }

    void stopMoving(final int partition)
    {
        moving.remove(partition);
    }

    Int2ObjectHashMap<MovingPartition> movingPartitions()
    {
        return moving;
    }

    boolean isValidPartition(final int partition)
    {
        return partition >= 0 && partition < partitionCount;
    }

    boolean isValidGroup(final int g)
    {
        return g >= 0 && g < groupCount;
    }

    static String stateName(final byte state)
    {
        switch (state)
        {
            case OWNED:
                return "owned";
            case NOT_OWNED:
                return "not-owned";
            case OUTGOING:
                return "outgoing";
            case FROZEN:
                return "frozen";
            case INCOMING:
                return "incoming";
            default:
                return "unknown(" + state + ")";
        }
    }
}
