package io.ferrite.client;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.File;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

    /**
     * A fresh directory name for an embedded driver: under {@code /dev/shm} when it exists, unique per call.
     */
    public static String newDirName(final String role)
    {
        final File shm = new File("/dev/shm");
        final File base = shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
        return new File(base, "ferrite-" + role + "-" + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16)).getAbsolutePath();
    }

    public static MediaDriver launch(final String dir)
    {
        return launch(dir, false);
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
            .sharedIdleStrategy(LowSlackIdleStrategy.wrap(new BackoffIdleStrategy(
                10, 20, TimeUnit.MICROSECONDS.toNanos(1), IdleStrategies.BACKOFF_MAX_PARK_NS)))
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false);
        return MediaDriver.launch(ctx);
    }
}
