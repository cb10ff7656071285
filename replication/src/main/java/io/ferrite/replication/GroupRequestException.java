package io.ferrite.replication;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * A group refused a control request (a migration step that does not fit the partition's state, a plan that cannot
 * run, a group outside a partitioned cluster); the message says why in one sentence.
 */
public final class GroupRequestException extends ReplicationException
{
    private static final long serialVersionUID = 1L;

    private final int group;
    private final transient ErrorCode code;

    GroupRequestException(final int group, final ErrorCode code, final String message)
    {
        super("group " + group + ": " + message);
        this.group = group;
        this.code = code;
    }

    public int group()
    {
        return group;
    }

    public ErrorCode code()
    {
        return code;
    }
}
