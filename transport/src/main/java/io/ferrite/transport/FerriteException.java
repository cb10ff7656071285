package io.ferrite.transport;

/**
 * A Ferrite client call failed: the node could not be reached, answered with an error, or the client was closed.
 */
public class FerriteException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public FerriteException(final String message)
    {
        super(message);
    }

    public FerriteException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
