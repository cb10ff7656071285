package io.ferrite.client;

/**
 * No answer came within the request (or connect) timeout. The request may or may not have been applied.
 */
public class FerriteTimeoutException extends FerriteException
{
    private static final long serialVersionUID = 1L;

    public FerriteTimeoutException(final String message)
    {
        super(message);
    }
}
