package io.ferrite.replication;

import io.aeron.exceptions.AeronException;

import java.util.Collection;
import java.util.List;

/**
 * What of an error handler's catch fails a test: Aeron reports elections, leader heartbeat timeouts and slow joins
 * on a loaded machine as {@link AeronException.Category#WARN} events; everything else is a real error.
 */
final class ErrorFilter
{
    private ErrorFilter()
    {
    }

    static List<Throwable> realErrors(final Collection<Throwable> errors)
    {
        return errors.stream().filter((t) -> !isAeronWarning(t)).toList();
    }

    static boolean isAeronWarning(final Throwable t)
    {
        return t instanceof AeronException && AeronException.Category.WARN == ((AeronException)t).category();
    }
}
