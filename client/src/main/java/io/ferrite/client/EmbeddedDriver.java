package io.ferrite.client;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Launches the media driver a node or client embeds when no external driver is named: one shared thread that
 * backs off to parks of at most 100 us (safe on 2 cores), or no thread at all when its embedder invokes it, sparse
 * term files, its directory deleted on start and on close.
 */
public final class EmbeddedDriver
{
    private EmbeddedDriver()
    {
    }

    /** A directory whose owner is gone is removed only once its driver's heartbeat is at least this old. */
    static final long STALE_HEARTBEAT_MS = 10_000;

    /**
     * A fresh directory name for an embedded driver: under {@code /dev/shm} when it exists, unique per call. A
     * process killed with SIGKILL cannot delete its driver's directory (its term buffers hold memory in
     * {@code /dev/shm}), so directories of the same role left by processes that no longer run, and whose driver's
     * heartbeat stopped, are removed first.
     */
    public static String newDirName(final String role)
    {
        final File shm = new File("/dev/shm");
        final File base = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        removeAbandoned(base, role);
        return new File(base, "ferrite-" + role + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16)).getAbsolutePath();
    }

    /**
     * Remove {@code base/ferrite-ROLE-PID-ID} directories whose process {@code PID} no longer runs and whose driver
     * has not updated its heartbeat for {@link #STALE_HEARTBEAT_MS} (both, so a live driver is never removed, not
     * even one of a process in another PID namespace sharing the directory).
     *
     * @return how many were removed.
     */
    static int removeAbandoned(final File base, final String role)
    {
        final String prefix = "ferrite-" + role + "-";
        final File[] dirs = base.listFiles((dir, name) -> name.startsWith(prefix));
        int removed = 0;
        for (final File dir : null == dirs ? new File[0] : dirs)
        {
            final String rest = dir.getName().substring(prefix.length());
            final int dash = rest.indexOf('-');
            final long pid;
            try
            {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            if (ProcessHandle.of(pid).isEmpty() && !CommonContext.isDriverActive(dir, STALE_HEARTBEAT_MS, (m) -> { }))
            {
                IoUtil.delete(dir, true);
                removed += dir.exists() ? 0 : 1;
            }
        }
        return removed;
    }

    public static MediaDriver launch(final String dir)
    {
        return launch(dir, false);
    }

    /**
     * Refuse a directory that a running driver uses: the embedded driver deletes its directory on start, which would
     * pull the files from under that driver (a second {@code ferrite node} on the same port shares the port's
     * directory, and the first node stopped serving new clients once the second was refused its port). A directory
     * whose driver process is gone (SIGKILL) is reused at once.
     *
     * @throws IllegalStateException if the process named in the directory's CnC file runs and its driver's
     *                               heartbeat is fresh.
     */
    public static void refuseIfInUse(final File dir)
    {
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return;
        }
        final long pid;
        final MappedByteBuffer mapped;
        try
        {
            mapped = IoUtil.mapExistingFile(cnc, "cnc");
        }
        catch (final RuntimeException ex)
        {
            return; // unreadable: not a live driver's
        }
        try
        {
            pid = CncFileDescriptor.createMetaDataBuffer(mapped).getLong(CncFileDescriptor.PID_FIELD_OFFSET);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        if (pid > 0 && ProcessHandle.of(pid).isPresent() &&
            CommonContext.isDriverActive(dir, STALE_HEARTBEAT_MS, (message) -> { }))
        {
            throw new IllegalStateException("the media driver directory " + dir + " is in use by the running " +
                "driver of process " + pid + " (another Ferrite node or client with that directory, or on that " +
                "port): stop it, or give this one another port or directory");
        }
    }

    /**
     * @param invoker run no thread of its own: the embedding agent calls {@link MediaDriver#sharedAgentInvoker()}
     *                from its duty cycle (one thread fewer to wake on every round trip).
     */
    public static MediaDriver launch(final String dir, final boolean invoker)
    {
        final MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(invoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(LowSlackIdleStrategy.wrap(IdleStrategies.backoff()))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false);
        refuseIfInUse(new File(dir));
        return MediaDriver.launch(ctx);
    }
}
