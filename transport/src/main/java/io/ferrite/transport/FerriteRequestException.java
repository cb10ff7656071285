package io.ferrite.transport;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * The node refused a request (key or value too large, malformed, ...): {@link #code()} says why.
 */
public class FerriteRequestException extends FerriteException
{
    private static final long serialVersionUID = 1L;

    private final transient ErrorCode code;

    public FerriteRequestException(final ErrorCode code, final String message)
    {
        super(code + ": " + message);
        this.code = code;
    }

    public ErrorCode code()
    {
        return code;
    }
}
