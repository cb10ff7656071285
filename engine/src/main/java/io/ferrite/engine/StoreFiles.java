package io.ferrite.engine;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.ferrite.engine.StoreDescriptor.*;

/**
 * A store's files: the meta and data mappings, the directory lock that keeps a second process (and a second open in
 * this process) out, and the OPEN/CLEAN marker. Opening finds out whether the files are new, cleanly closed or left
 * open by a process that died; what to do about it is the store's business.
 * <b>Note:</b> not thread-safe; opened and closed by the store's owner thread.
 */
final class StoreFiles implements AutoCloseable
{
    static final String META_FILE = "meta";
    static final String DATA_FILE = "data";
    static final String LOCK_FILE = "lock";

    /**
     * Directories of the persistent stores open in this JVM. File locks belong to the process and, on Linux, closing
     * any descriptor of the lock file releases them, so a second open in this process is refused here, before it
     * opens the lock file.
     */
    private static final Set<String> OPEN_DIRS = ConcurrentHashMap.newKeySet();

    final StoreLayout layout;
    final MappedMemory meta;
    final MappedMemory data;
    /** The policy of the files (the asked-for one if new). */
    final EvictionPolicyType policy;
    /** True if the files were created by this open. */
    final boolean created;
    /** The state marker found on open (STATE_CLEAN for new files). */
    final int foundState;
    final long agingPeriod;
    private final File dir;
    private final RandomAccessFile lockFile;
    private final FileLock lock;
    private final String lockKey;
    private boolean closed;

    private StoreFiles(
        final StoreLayout layout,
        final MappedMemory meta,
        final MappedMemory data,
        final EvictionPolicyType policy,
        final boolean created,
        final int foundState,
        final long agingPeriod,
        final File dir,
        final RandomAccessFile lockFile,
        final FileLock lock,
        final String lockKey)
    {
        this.layout = layout;
        this.meta = meta;
        this.data = data;
        this.policy = policy;
        this.created = created;
        this.foundState = foundState;
        this.agingPeriod = agingPeriod;
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
        this.lockKey = lockKey;
    }

    /**
     * Map the files of {@code ctx} (concluded): two unlinked files for an anonymous store, or the directory's files,
     * created with a fresh header if missing.
     */
    static StoreFiles open(final StoreContext ctx)
    {
        return null == ctx.dir() ? openAnonymous(ctx) : openPersistent(ctx);
    }

    private static StoreFiles openAnonymous(final StoreContext ctx)
    {
        final EvictionPolicyType policy = null == ctx.policy() ? StoreConfiguration.policy() : ctx.policy();
        final StoreLayout layout = newLayout(ctx, policy);
        final MappedMemory meta = MappedMemory.mapAnonymous(ctx.anonymousDir(), "ferrite-meta-", layout.metaLength);
        try
        {
            final MappedMemory data = MappedMemory.mapAnonymous(ctx.anonymousDir(), "ferrite-data-", layout.dataLength);
            final long agingPeriod = writeHeader(ctx, policy, layout, meta);
            return new StoreFiles(layout, meta, data, policy, true, STATE_CLEAN, agingPeriod, null, null, null, null);
        }
        catch (final RuntimeException ex)
        {
            meta.close();
            throw ex;
        }
    }

    private static StoreFiles openPersistent(final StoreContext ctx)
    {
        final File dir = ctx.dir();
        IoUtil.ensureDirectoryExists(dir, "ferrite store");
        final String lockKey = lockKey(dir);
        if (!OPEN_DIRS.add(lockKey))
        {
            throw new IllegalStateException("store " + dir + " is already open in this process");
        }
        final RandomAccessFile lockFile;
        final FileLock lock;
        try
        {
            lockFile = new RandomAccessFile(new File(dir, LOCK_FILE), "rw");
            try
            {
                lock = lockFile.getChannel().tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                OPEN_DIRS.remove(lockKey);
                lockFile.close();
                throw new IllegalStateException("store " + dir + " is already open in this process", ex);
            }
            if (null == lock)
            {
                OPEN_DIRS.remove(lockKey);
                lockFile.close();
                throw new IllegalStateException("store " + dir + " is open in another process");
            }
        }
        catch (final IOException ex)
        {
            OPEN_DIRS.remove(lockKey);
            throw new UncheckedIOException("cannot lock store " + dir, ex);
        }

        MappedMemory meta = null;
        MappedMemory data = null;
        try
        {
            final File metaFile = new File(dir, META_FILE);
            final File dataFile = new File(dir, DATA_FILE);
            if (ctx.deleteOnOpen())
            {
                // Only once the lock is held: a store open elsewhere must never lose its files.
                IoUtil.delete(metaFile, true);
                IoUtil.delete(dataFile, true);
            }
            if (!metaFile.exists() || 0 == metaFile.length())
            {
                final EvictionPolicyType policy = null == ctx.policy() ? StoreConfiguration.policy() : ctx.policy();
                final StoreLayout layout = newLayout(ctx, policy);
                IoUtil.delete(dataFile, true);
                meta = MappedMemory.mapFile(metaFile, layout.metaLength);
                data = MappedMemory.mapFile(dataFile, layout.dataLength);
                final long agingPeriod = writeHeader(ctx, policy, layout, meta);
                return new StoreFiles(
                    layout, meta, data, policy, true, STATE_CLEAN, agingPeriod, dir, lockFile, lock, lockKey);
            }
            final StoreHeader existing = StoreHeader.read(metaFile, dataFile);
            existing.checkAgainst(ctx);
            meta = MappedMemory.mapFile(metaFile, existing.layout.metaLength);
            data = MappedMemory.mapFile(dataFile, existing.layout.dataLength);
            return new StoreFiles(existing.layout, meta, data, existing.policy, false, existing.state,
                existing.agingPeriod(ctx), dir, lockFile, lock, lockKey);
        }
        catch (final RuntimeException ex)
        {
            if (null != meta)
            {
                meta.close();
            }
            if (null != data)
            {
                data.close();
            }
            release(ex, dir, lockFile, lock, lockKey);
            throw ex;
        }
    }

    private static StoreLayout newLayout(final StoreContext ctx, final EvictionPolicyType policy)
    {
        final long capacity = ctx.capacityBytes() == -1 ? StoreConfiguration.capacityBytes() : ctx.capacityBytes();
        final long maxEntries = ctx.maxEntries() == -1 ? StoreConfiguration.maxEntries() : ctx.maxEntries();
        final int segmentSize = ctx.segmentSize() == -1 ? StoreConfiguration.segmentSize() : ctx.segmentSize();
        return StoreLayout.create(capacity, maxEntries, segmentSize, policy);
    }

    /**
     * Write a fresh header (state OPEN) for a new store.
     *
     * @return the LFU/MFU aging period recorded.
     */
    private static long writeHeader(
        final StoreContext ctx, final EvictionPolicyType policy, final StoreLayout layout, final MappedMemory meta)
    {
        final org.agrona.concurrent.UnsafeBuffer header = meta.buffer(0);
        header.setMemory(0, HEADER_LENGTH, (byte)0);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(STATE_OFFSET, STATE_OPEN);
        header.putInt(POLICY_OFFSET, policy.ordinal());
        header.putInt(HASH_SEED_OFFSET, DEFAULT_HASH_SEED);
        header.putLong(CAPACITY_OFFSET, layout.capacityBytes);
        header.putLong(MAX_ENTRIES_OFFSET, layout.maxEntries);
        header.putLong(INDEX_SLOTS_OFFSET, layout.indexSlots);
        header.putInt(SEGMENT_SIZE_OFFSET, layout.segmentSize);
        header.putInt(SEGMENT_COUNT_OFFSET, layout.segmentCount);
        header.putLong(META_LENGTH_OFFSET, layout.metaLength);
        header.putLong(DATA_LENGTH_OFFSET, layout.dataLength);
        header.putInt(FILL_RATIO_OFFSET, (int)Math.round(ctx.fillRatio() * 1000));
        final long agingPeriod = ctx.agingPeriod() > 0 ? ctx.agingPeriod() : 10 * layout.maxEntries;
        header.putLong(AGING_PERIOD_OFFSET, agingPeriod);
        return agingPeriod;
    }

    File dir()
    {
        return dir;
    }

    void markOpen()
    {
        meta.buffer(0).putInt(STATE_OFFSET, STATE_OPEN);
        meta.force();
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Flush, mark CLEAN, unmap and release the lock.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            data.force();
            meta.force();
            meta.buffer(0).putInt(STATE_OFFSET, STATE_CLEAN);
            meta.force();
        }
        finally
        {
            meta.close();
            data.close();
            if (null != lock)
            {
                final RuntimeException failure = release(null, dir, lockFile, lock, lockKey);
                if (null != failure)
                {
                    throw failure;
                }
            }
        }
    }

    /**
     * Unmap and release the lock without marking the files CLEAN (an open that failed half way).
     */
    void abandon()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        meta.close();
        data.close();
        if (null != lock)
        {
            final RuntimeException failure = release(null, dir, lockFile, lock, lockKey);
            if (null != failure)
            {
                throw failure;
            }
        }
    }

    private static RuntimeException release(
        final RuntimeException cause,
        final File dir,
        final RandomAccessFile lockFile,
        final FileLock lock,
        final String lockKey)
    {
        try
        {
            lock.release();
            lockFile.close();
            return null;
        }
        catch (final IOException ex)
        {
            if (null != cause)
            {
                cause.addSuppressed(ex);
                return cause;
            }
            return new UncheckedIOException("failed to release lock of " + dir, ex);
        }
        finally
        {
            OPEN_DIRS.remove(lockKey);
        }
    }

    private static String lockKey(final File dir)
    {
        try
        {
            return dir.getCanonicalPath();
        }
        catch (final IOException ex)
        {
            return dir.getAbsolutePath();
        }
    }
}
