package io.ferrite.client;

import io.ferrite.codec.sbe.ErrorCode;

/**
 * The node or group refused a request (key or value too large, malformed, unsupported, a datastore failure, ...):
 * {@link #code()} says why. Also thrown before sending for a request the configured limits refuse, with the code the
 * server would have answered.
 */
public class FerriteRequestException extends FerriteException
{
    private static final long serialVersionUID = 1L;

    public FerriteRequestException(final ErrorCode code, final String message)
    {
        super(code, code + ": " + message, null);
    }
}
