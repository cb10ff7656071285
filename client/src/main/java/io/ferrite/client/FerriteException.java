package io.ferrite.client;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * A Ferrite client call failed. The one exception family of the client: {@link #code()} is the {@link ErrorCode} the
 * node or group answered with, or {@code null} when the failure happened on the client's side (not reachable, no
 * answer in time ({@link FerriteTimeoutException}), the client closed, a loader failed).
 */
public class FerriteException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    public FerriteException(final String message)
    {
        this(null, message, null);
    }

    public FerriteException(final String message, final Throwable cause)
    {
        this(null, message, cause);
    }

    protected FerriteException(final ErrorCode code, final String message, final Throwable cause)
    {
        super(message, cause);
        this.code = code;
    }

    /**
     * The server's reason, or {@code null} if the server did not refuse the request.
     */
    public ErrorCode code()
    {
        return code;
    }
}
