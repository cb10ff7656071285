package io.ferrite.client;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * A group did not serve a request because the key's partition is not its own: it moved to {@link #ownerGroup()}
 * ({@link ErrorCode#PARTITION_MOVED}, as of map epoch {@link #mapEpoch()}), or it is frozen for a cut-over
 * ({@link ErrorCode#PARTITION_MIGRATING}). Nothing was applied. A client of a partitioned cluster follows redirects
 * by itself; this reaches the caller only from a client of one group that holds no partition map.
 */
public final class FerriteRedirectException extends FerriteRequestException
{
    private static final long serialVersionUID = 1L;

    private final int partition;
    private final int ownerGroup;
    private final long mapEpoch;

    public FerriteRedirectException(
        final ErrorCode code, final int partition, final int ownerGroup, final long mapEpoch)
    {
        super(code, "partition " + partition + (ErrorCode.PARTITION_MIGRATING == code ?
            " is being cut over on group " + ownerGroup : " belongs to group " + ownerGroup) + " (map epoch " +
            mapEpoch + ")");
        this.partition = partition;
        this.ownerGroup = ownerGroup;
        this.mapEpoch = mapEpoch;
    }

    /**
     * True if the partition is frozen for its cut-over: retry after a short pause.
     */
    public boolean isMigrating()
    {
        return ErrorCode.PARTITION_MIGRATING == code();
    }

    public int partition()
    {
        return partition;
    }

    public int ownerGroup()
    {
        return ownerGroup;
    }

    public long mapEpoch()
    {
        return mapEpoch;
    }
}
