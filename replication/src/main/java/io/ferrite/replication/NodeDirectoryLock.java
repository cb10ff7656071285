package io.ferrite.replication;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * Ownership of a node's base directory: an exclusive OS lock on {@code node.lock} in it, held for the node's life
 * and released by the OS when the process dies, however it dies. A node that gets the lock knows no live process
 * owns the directory, so the Aeron mark files there are stale (a process killed with SIGKILL leaves them looking
 * live for their 10 s timeout) and it marks them inactive, which lets the archive and consensus module start at once.
 * A node that cannot get the lock is refused: another live process owns the directory.
 * <p>
 * Marking a mark file inactive zeroes only its activity timestamp; the rest (the persisted candidate term of the
 * consensus module included, which Raft's safety depends on) stays as it was.
 * <b>Note:</b> acquire and close from one thread.
 */
final class NodeDirectoryLock implements AutoCloseable
{
    static final String FILENAME = "node.lock";
    /** Offset of the activity timestamp in every Aeron 1.51 mark file (archive and cluster): after the SBE header
     * (8 bytes), the version (4) and padding (4). */
    static final int MARK_FILE_ACTIVITY_TIMESTAMP_OFFSET = 16;

    private final FileChannel channel;
    private final FileLock lock;

    private NodeDirectoryLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Lock {@code dir} (created if missing) for this process.
     *
     * @throws ReplicationException if a live process holds it.
     */
    static NodeDirectoryLock acquire(final File dir)
    {
        if (!dir.isDirectory() && !dir.mkdirs())
        {
            throw new ReplicationException("cannot create node directory " + dir);
        }
        final File file = new File(dir, FILENAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (null == lock)
            {
                final String owner = new String(Files.readAllBytes(file.toPath()), StandardCharsets.US_ASCII).trim();
                channel.close();
                throw new ReplicationException("node directory " + dir + " is in use by a running process (" +
                    (owner.isEmpty() ? "pid unknown" : owner) + "); stop it first");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new NodeDirectoryLock(channel, lock);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock node directory " + dir, ex);
        }
    }

    /**
     * Mark every Aeron mark file under {@code dir} inactive; call only while holding the lock.
     *
     * @return how many were marked.
     */
    int markStaleMarkFilesInactive(final File dir)
    {
        if (!dir.isDirectory())
        {
            return 0;
        }
        int marked = 0;
        try (Stream<Path> paths = Files.walk(dir.toPath(), 2))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                final String name = path.getFileName().toString();
                if (name.endsWith("mark.dat") || name.matches(".*-mark(-service-\\d+)?\\.dat"))
                {
                    try (FileChannel markFile = FileChannel.open(path, StandardOpenOption.WRITE))
                    {
                        if (markFile.size() >= MARK_FILE_ACTIVITY_TIMESTAMP_OFFSET + Long.BYTES)
                        {
                            markFile.write(ByteBuffer.allocate(Long.BYTES), MARK_FILE_ACTIVITY_TIMESTAMP_OFFSET);
                            marked++;
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot reset mark files under " + dir, ex);
        }
        return marked;
    }

    public void close()
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignore)
        {
            // the channel closes below and the OS drops the lock with it
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to release
            }
        }
    }
}
