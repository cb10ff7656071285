package io.ferrite.replication;

/**
 * A replicated request could not be completed: no leader reachable, no answer in time, or an error response.
 */
public class ReplicationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ReplicationException(final String message)
    {
        super(message);
    }

    public ReplicationException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
