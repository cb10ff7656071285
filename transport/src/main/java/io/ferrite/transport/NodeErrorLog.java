package io.ferrite.transport;

import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * The node's distinct error log: every error the node meets is counted once per distinct stack trace in a mapped
 * file (Agrona's {@link DistinctErrorLog} format, as in Aeron's CnC), which another process can read while the node
 * runs ({@code ferrite errors}), and is passed on to the configured {@link ErrorHandler}.
 * <p>
 * <b>Note:</b> thread-safe: {@link #onError(Throwable)} may be called from any thread.
 */
public final class NodeErrorLog implements ErrorHandler, AutoCloseable
{
    /** File name prefix of error logs in a media driver directory. */
    public static final String FILE_PREFIX = "ferrite-node-errors-";
    /** File name suffix of error logs. */
    public static final String FILE_SUFFIX = ".dat";
    static final int LENGTH = 1024 * 1024;

    private final MappedByteBuffer mapped;
    private final DistinctErrorLog log;
    private final ErrorHandler next;
    private final File file;

    NodeErrorLog(final File file, final ErrorHandler next)
    {
        this.file = file;
        this.next = next;
        IoUtil.deleteIfExists(file);
        this.mapped = IoUtil.mapNewFile(file, LENGTH);
        this.log = new DistinctErrorLog(new UnsafeBuffer(mapped), SystemEpochClock.INSTANCE);
    }

    public void onError(final Throwable throwable)
    {
        log.record(throwable);
        next.onError(throwable);
    }

    public File file()
    {
        return file;
    }

    /**
     * Read an error log file, from any process.
     *
     * @return the number of distinct errors read.
     */
    public static int read(final File file, final ErrorConsumer consumer)
    {
        final MappedByteBuffer buffer = IoUtil.mapExistingFile(file, "ferrite node error log");
        try
        {
            return ErrorLogReader.read(new UnsafeBuffer(buffer), consumer);
        }
        finally
        {
            IoUtil.unmap(buffer);
        }
    }

    /**
     * Unmap the log and delete its file (an embedded driver's directory goes with the node anyway).
     */
    public void close()
    {
        IoUtil.unmap(mapped);
        IoUtil.deleteIfExists(file);
    }
}
