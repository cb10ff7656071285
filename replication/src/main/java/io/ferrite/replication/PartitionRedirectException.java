package io.ferrite.replication;

import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.PartitionRedirectResponseDecoder;

/**
 * A group did not serve a request because the key's partition is not its own: it has moved to
 * {@link #ownerGroup()} ({@code PARTITION_MOVED}, as of map epoch {@link #mapEpoch()}), or it is frozen for a
 * cut-over ({@code PARTITION_MIGRATING}: retry shortly). Nothing was applied, so the request may be sent again.
 */
public final class PartitionRedirectException extends ReplicationException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;
    private final int partition;
    private final int ownerGroup;
    private final long mapEpoch;

    PartitionRedirectException(final ErrorCode code, final int partition, final int ownerGroup, final long mapEpoch)
    {
        super(code + ": partition " + partition + (ErrorCode.PARTITION_MIGRATING == code ?
            " is being cut over on group " + ownerGroup : " belongs to group " + ownerGroup) + " (map epoch " +
            mapEpoch + ")");
        this.code = code;
        this.partition = partition;
        this.ownerGroup = ownerGroup;
        this.mapEpoch = mapEpoch;
    }

    static PartitionRedirectException of(final PartitionRedirectResponseDecoder decoder)
    {
        return new PartitionRedirectException(
            decoder.code(), decoder.partition(), decoder.ownerGroup(), decoder.mapEpoch());
    }

    public ErrorCode code()
    {
        return code;
    }

    /**
     * True if the partition is frozen for its cut-over: retry after a short pause.
     */
    public boolean isMigrating()
    {
        return ErrorCode.PARTITION_MIGRATING == code;
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
