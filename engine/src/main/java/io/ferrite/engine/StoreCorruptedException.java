package io.ferrite.engine;

/**
 * A store's files cannot be used as they are: wrong magic or layout version, inconsistent geometry, or left
 * open by a process that died while {@link RecoveryMode#REJECT} was asked for.
 */
public class StoreCorruptedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StoreCorruptedException(final String message)
    {
        super(message);
    }
}
