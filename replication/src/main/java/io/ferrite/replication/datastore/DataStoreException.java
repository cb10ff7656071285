package io.ferrite.replication.datastore;

/**
 * A {@link DataStore} call that did not succeed, with the {@link Reason} a caller can act on.
 * <b>Note:</b> immutable.
 */
public final class DataStoreException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * Why a call failed, and what it means for a write.
     */
    public enum Reason
    {
        /** No connection to the database: nothing was written. */
        UNAVAILABLE,
        /** The call ran past its deadline: a write may or may not have committed. */
        TIMEOUT,
        /** The database refused the statement (constraint, permission, bad data): nothing was written. */
        REFUSED
    }

    private final Reason reason;

    public DataStoreException(final Reason reason, final String message, final Throwable cause)
    {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason()
    {
        return reason;
    }
}
