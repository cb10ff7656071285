package io.ferrite.replication;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * A replica group refused a client: its credentials ({@link ErrorCode#AUTHENTICATION_FAILED}: unknown user, bad
 * secret, malformed or missing credentials; the member's log says which) or a request its role does not allow
 * ({@link ErrorCode#PERMISSION_DENIED}; nothing was done).
 */
public class AccessDeniedException extends ReplicationException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    public AccessDeniedException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public ErrorCode code()
    {
        return code;
    }
}
