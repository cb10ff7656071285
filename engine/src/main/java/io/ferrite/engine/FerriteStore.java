package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * A single-node, off-heap key-value cache store in memory-mapped files.
 * <p>
 * <b>Memory.</b> A store is two files in its directory (or two unlinked files for an anonymous store). The
 * {@code meta} file holds a header, the eviction policy's region, a segment table, an open-addressed hash index
 * and an entry table of fixed 32-byte records; the {@code data} file is a log of equal segments holding the
 * keys and values as variable-size blocks. Everything, including list heads and counters, lives in the
 * mappings: the Java heap holds a few dozen objects however many entries there are, so the collector has
 * nothing to trace. Together the files take at most the capacity asked for. See {@link StoreDescriptor},
 * {@link EntryDescriptor}, {@link BlockDescriptor} and {@link SegmentDescriptor} for the record layouts.
 * <p>
 * <b>Lookup.</b> The key's hash picks a home slot in the index; linear probing compares the hash stored in each
 * slot and, on a match, the key bytes in the entry's block. Deletion shifts later slots back (no tombstones).
 * <p>
 * <b>Allocation.</b> Blocks are appended to the head segment and never changed in place: an update writes a
 * new block and then switches the entry's address with one int store. When the head is full a free segment
 * becomes the head; when only the reserve segment is free, the cleaner picks the sealed segment with the fewest
 * live bytes, moves its live blocks to the head and frees it. Live bytes are kept under the fill ratio of the
 * log (eviction makes room before an append), so there is always a segment worth cleaning: mixed 16-byte and
 * 64-KiB values never strand free space in unusable fragments, and the hit ratio tracks a byte-aware LRU.
 * <p>
 * <b>Eviction and expiry.</b> Entries are linked by int index into the policy's lists (W-TinyLFU by default; exact LRU,
 * or LFU/MFU with aging). A put evicts the policy's victims until the new block fits both the byte budget and the entry
 * table. An entry's TTL is checked against the injected clock on every access (an expired entry is never returned and
 * is removed then), and an incremental sweep examines a few entry records per put and per 64 gets and removes those
 * that expired, so their space comes back without waiting for eviction.
 * <p>
 * <b>Durability.</b> The header records OPEN while the store is in use and CLEAN after {@link #close()} has
 * flushed it. Because blocks are written before they are published, a process killed at any instruction leaves
 * every published address pointing at a complete block; on the next open a store found OPEN is rebuilt from its
 * entry records after each is checked against its block (or discarded, or refused: {@link RecoveryMode}).
 * <p>
 * <b>Note:</b> not thread-safe. A store has a single thread that calls every method, reads included (a get
 * updates recency). A node runs one store per partition group to use several cores. A lock file keeps a second
 * process from opening the same directory.
 */
public final class FerriteStore implements AutoCloseable
{
    /** {@link #get} result: no live entry for the key. */
    public static final int NOT_FOUND = -1;

    /** {@link #put} mode: store the value whether or not the key exists. */
    public static final int PUT = 0;
    /** {@link #put} mode: store only if the key has no live entry. */
    public static final int PUT_IF_ABSENT = 1;
    /** {@link #put} mode: store only if the key has a live entry. */
    public static final int REPLACE = 2;

    /** {@link #put} result: the value was stored. */
    public static final int STORED = 0;
    /** {@link #put} result: the mode's condition did not hold; nothing changed. */
    public static final int NOT_STORED = 1;
    /** {@link #put} result: the key is empty or longer than {@link StoreConfiguration#MAX_KEY_LENGTH}. */
    public static final int INVALID_KEY = -2;
    /** {@link #put} result: key and value do not fit one block ({@link #maxValueLength(int)}). */
    public static final int TOO_LARGE = -3;

    static final String META_FILE = "meta";
    static final String DATA_FILE = "data";
    static final String LOCK_FILE = "lock";
    private static final int DEFAULT_HASH_SEED = 0x5EED_F00D;
    private static final int GET_SWEEP_MASK = 63;

    /**
     * Directories of the persistent stores open in this JVM. File locks belong to the process and, on Linux, closing
     * any descriptor of the lock file releases them, so a second open in this process is refused here, before it
     * opens the lock file.
     */
    private static final Set<String> OPEN_DIRS = ConcurrentHashMap.newKeySet();

    private final StoreLayout layout;
    private final MappedMemory meta;
    private final MappedMemory data;
    private final UnsafeBuffer header;
    private final HashIndex index;
    private final EntryLists lists;
    private final EvictionPolicy policy;
    private final EpochClock clock;
    private final int hashSeed;
    private final int policyOrdinal;
    private final long liveLimit;
    private final int segmentSize;
    private final int segmentShift;
    private final File dir;
    private final RandomAccessFile lockFile;
    private final FileLock lock;
    private final String lockKey;
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyWrapper = new UnsafeBuffer(0, 0);
    private long foundSlot;
    private int updatingEntry = NULL_INDEX;
    private boolean closed;

    private FerriteStore(
        final StoreLayout layout,
        final MappedMemory meta,
        final MappedMemory data,
        final EvictionPolicyType policyType,
        final StoreContext ctx,
        final long agingPeriod,
        final RandomAccessFile lockFile,
        final FileLock lock)
    {
        this.layout = layout;
        this.meta = meta;
        this.data = data;
        this.header = meta.buffer(0);
        this.dir = ctx.dir();
        this.lockFile = lockFile;
        this.lock = lock;
        this.lockKey = null == lock ? null : lockKey(dir);
        this.clock = ctx.clock();
        this.index = new HashIndex(meta, layout.indexBase, layout.indexSlots);
        this.lists = new EntryLists(meta, layout.entriesBase);
        this.policy = EvictionPolicy.create(
            policyType, lists, meta, layout.policyBase, layout.maxEntries, agingPeriod);
        this.segmentSize = layout.segmentSize;
        this.segmentShift = Integer.numberOfTrailingZeros(layout.segmentSize);
        this.liveLimit = layout.liveLimit(header.getInt(FILL_RATIO_OFFSET) / 1000.0);
        this.hashSeed = header.getInt(HASH_SEED_OFFSET);
        this.policyOrdinal = policyType.ordinal();
    }

    /**
     * Open (creating if needed) the store described by {@code ctx}.
     *
     * @throws StoreCorruptedException if existing files are not a usable store.
     * @throws IllegalArgumentException if the settings are invalid or contradict existing files.
     * @throws IllegalStateException    if another process has the store open.
     */
    public static FerriteStore open(final StoreContext ctx)
    {
        ctx.conclude();
        return null == ctx.dir() ? createAnonymous(ctx) : openPersistent(ctx);
    }

    private static FerriteStore createAnonymous(final StoreContext ctx)
    {
        final EvictionPolicyType policy = null == ctx.policy() ? StoreConfiguration.policy() : ctx.policy();
        final StoreLayout layout = newLayout(ctx, policy);
        final MappedMemory meta = MappedMemory.mapAnonymous(ctx.anonymousDir(), "ferrite-meta-", layout.metaLength);
        MappedMemory data = null;
        try
        {
            data = MappedMemory.mapAnonymous(ctx.anonymousDir(), "ferrite-data-", layout.dataLength);
            final FerriteStore store = initialise(ctx, policy, layout, meta, data, null, null);
            store.markOpen();
            return store;
        }
        catch (final RuntimeException ex)
        {
            meta.close();
            if (null != data)
            {
                data.close();
            }
            throw ex;
        }
    }

    private static FerriteStore openPersistent(final StoreContext ctx)
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
            final FerriteStore store;
            if (!metaFile.exists() || 0 == metaFile.length())
            {
                final EvictionPolicyType policy = null == ctx.policy() ? StoreConfiguration.policy() : ctx.policy();
                final StoreLayout layout = newLayout(ctx, policy);
                IoUtil.delete(dataFile, true);
                meta = MappedMemory.mapFile(metaFile, layout.metaLength);
                data = MappedMemory.mapFile(dataFile, layout.dataLength);
                store = initialise(ctx, policy, layout, meta, data, lockFile, lock);
            }
            else
            {
                final StoreHeader existing = StoreHeader.read(metaFile, dataFile);
                existing.checkAgainst(ctx);
                meta = MappedMemory.mapFile(metaFile, existing.layout.metaLength);
                data = MappedMemory.mapFile(dataFile, existing.layout.dataLength);
                store = new FerriteStore(
                    existing.layout, meta, data, existing.policy, ctx, existing.agingPeriod(ctx), lockFile, lock);
                if (STATE_CLEAN == existing.state)
                {
                    store.policy.adopted();
                }
                else
                {
                    switch (ctx.recoveryMode())
                    {
                        case REJECT:
                            throw new StoreCorruptedException(
                                "store " + dir + " was not closed cleanly (its process died while it was open); " +
                                "open it with RecoveryMode.REBUILD or DISCARD, or delete the directory");
                        case DISCARD:
                            store.reset();
                            break;
                        default:
                            StoreRecovery.rebuild(store);
                            break;
                    }
                }
            }
            store.markOpen();
            return store;
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
            try
            {
                lock.release();
                lockFile.close();
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            finally
            {
                OPEN_DIRS.remove(lockKey);
            }
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

    private static FerriteStore initialise(
        final StoreContext ctx,
        final EvictionPolicyType policy,
        final StoreLayout layout,
        final MappedMemory meta,
        final MappedMemory data,
        final RandomAccessFile lockFile,
        final FileLock lock)
    {
        final UnsafeBuffer header = meta.buffer(0);
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
        final FerriteStore store = new FerriteStore(layout, meta, data, policy, ctx, agingPeriod, lockFile, lock);
        store.reset();
        return store;
    }

    /**
     * Empty everything: index, entry table, segments, policy and size counters (not the hit/miss history).
     */
    void reset()
    {
        index.clear();
        header.putLong(SIZE_COUNTER, 0);
        header.putLong(LIVE_BYTES_COUNTER, 0);
        header.putInt(ENTRY_HWM_OFFSET, 0);
        header.putInt(FREE_ENTRY_HEAD_OFFSET, NULL_INDEX);
        header.putInt(SWEEP_CURSOR_OFFSET, 0);
        policy.reset();
        resetSegments();
        final int head = popFreeSegment();
        header.putInt(HEAD_SEGMENT_OFFSET, head);
    }

    void resetSegments()
    {
        header.putInt(FREE_SEGMENT_HEAD_OFFSET, NULL_INDEX);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, 0);
        for (int s = layout.segmentCount - 1; s >= 0; s--)
        {
            segmentUsed(s, 0);
            segmentLive(s, 0);
            pushFreeSegment(s);
        }
    }

    private void markOpen()
    {
        header.putInt(STATE_OFFSET, STATE_OPEN);
        meta.force();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Operations
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Copy the value of {@code key} into {@code dst} at {@code dstOffset}.
     *
     * @return the value's length, or {@link #NOT_FOUND}. When the value is longer than the room left in
     * {@code dst}, nothing is copied and the length is returned so the caller can retry with a larger buffer.
     */
    public int get(
        final DirectBuffer key, final int keyOffset, final int keyLength, final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int entry = lookupForRead(key, keyOffset, keyLength);
        if (NULL_INDEX == entry)
        {
            return NOT_FOUND;
        }
        return copyValue(entry, keyLength, dst, dstOffset);
    }

    /**
     * Point {@code view} at the stored value of {@code key}, copying nothing. The view is valid until the next
     * call that modifies the store (put, delete, clear, a get that triggers the sweep, close).
     *
     * @return true if the key has a live entry.
     */
    public boolean getView(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer view)
    {
        final int entry = lookupForRead(key, keyOffset, keyLength);
        if (NULL_INDEX == entry)
        {
            return false;
        }
        wrapValue(entry, keyLength, view);
        return true;
    }

    /**
     * Copy the value of {@code key} into {@code dst} without changing anything: no recency or frequency update,
     * no counters, no expiry removal (an expired entry reads as absent). For reads that must not alter replicated
     * state, such as a replica serving a possibly stale read outside the Raft log.
     *
     * @return the value's length, or {@link #NOT_FOUND}; copies only when the value fits, as {@link #get} does.
     */
    public int peek(
        final DirectBuffer key, final int keyOffset, final int keyLength, final MutableDirectBuffer dst,
        final int dstOffset)
    {
        final int entry = lookupQuietly(key, keyOffset, keyLength);
        if (NULL_INDEX == entry)
        {
            return NOT_FOUND;
        }
        return copyValue(entry, keyLength, dst, dstOffset);
    }

    /**
     * Point {@code view} at the value of {@code key} without changing anything, as {@link #peek} does; valid until
     * the next call that modifies the store.
     *
     * @return true if the key has a live, unexpired entry.
     */
    public boolean peekView(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer view)
    {
        final int entry = lookupQuietly(key, keyOffset, keyLength);
        if (NULL_INDEX == entry)
        {
            return false;
        }
        wrapValue(entry, keyLength, view);
        return true;
    }

    /**
     * Replace the value of {@code key} with {@code value} only if its live entry currently holds exactly
     * {@code expected}. Counts as an access when the entry exists.
     *
     * @return {@link #STORED} if replaced, {@link #NOT_STORED} if absent or different, or an error code of
     * {@link #put}.
     */
    public int compareAndSet(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer expected,
        final int expectedOffset,
        final int expectedLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            increment(REJECTED_COUNTER);
            return INVALID_KEY;
        }
        final int entry = lookupForRead(key, keyOffset, keyLength);
        if (NULL_INDEX == entry)
        {
            return NOT_STORED;
        }
        final long block = blockAddress(entry);
        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        if (buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET) != expectedLength ||
            !Hashing.equal(buffer, offset + BlockDescriptor.HEADER_LENGTH + keyLength, expected, expectedOffset,
            expectedLength))
        {
            return NOT_STORED;
        }
        return put(key, keyOffset, keyLength, value, valueOffset, valueLength, ttlMs, PUT);
    }

    /**
     * Whether {@code key} has a live entry; does not count as an access for the policy or the hit counters.
     */
    public boolean contains(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            return false;
        }
        final int entry = lookup(key, keyOffset, keyLength, Hashing.hash(key, keyOffset, keyLength, hashSeed));
        return NULL_INDEX != entry && !isExpired(entry);
    }

    /**
     * Store a value.
     *
     * @param ttlMs time to live in milliseconds from now by the store's clock; 0 or less for no expiry.
     * @param mode  {@link #PUT}, {@link #PUT_IF_ABSENT} or {@link #REPLACE}.
     * @return {@link #STORED}, {@link #NOT_STORED}, {@link #INVALID_KEY} or {@link #TOO_LARGE}.
     */
    public int put(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long ttlMs,
        final int mode)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            increment(REJECTED_COUNTER);
            return INVALID_KEY;
        }
        if (valueLength < 0 || valueLength > maxValueLength(keyLength))
        {
            increment(REJECTED_COUNTER);
            return TOO_LARGE;
        }

        return store(key, keyOffset, keyLength, value, valueOffset, valueLength, ttlMs > 0 ? expiryFor(ttlMs) : 0,
            mode);
    }

    /**
     * Store a value with an absolute expiry, as a snapshot or replica catching up restores it.
     *
     * @param expireAt epoch milliseconds by the store's clock, 0 for never.
     * @return as {@link #put}.
     */
    public int restore(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long expireAt)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            increment(REJECTED_COUNTER);
            return INVALID_KEY;
        }
        if (valueLength < 0 || valueLength > maxValueLength(keyLength))
        {
            increment(REJECTED_COUNTER);
            return TOO_LARGE;
        }
        return store(key, keyOffset, keyLength, value, valueOffset, valueLength, expireAt, PUT);
    }

    private int store(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long expireAt,
        final int mode)
    {
        final int hash = Hashing.hash(key, keyOffset, keyLength, hashSeed);
        int entry = lookup(key, keyOffset, keyLength, hash);
        if (NULL_INDEX != entry && isExpired(entry))
        {
            remove(entry, EXPIRATIONS_COUNTER);
            entry = NULL_INDEX;
        }
        if ((PUT_IF_ABSENT == mode && NULL_INDEX != entry) || (REPLACE == mode && NULL_INDEX == entry))
        {
            return NOT_STORED;
        }
        final int length = BlockDescriptor.blockLength(keyLength, valueLength);

        updatingEntry = entry;
        if (NULL_INDEX == entry)
        {
            reserveEntry();
        }
        final long block = allocate(length);
        final boolean update = NULL_INDEX != updatingEntry;
        updatingEntry = NULL_INDEX;
        if (!update)
        {
            entry = takeEntry();
        }

        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        buffer.putInt(offset + BlockDescriptor.ENTRY_OFFSET, entry);
        buffer.putInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET, keyLength);
        buffer.putInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET, valueLength);
        buffer.putBytes(offset + BlockDescriptor.HEADER_LENGTH, key, keyOffset, keyLength);
        buffer.putBytes(offset + BlockDescriptor.HEADER_LENGTH + keyLength, value, valueOffset, valueLength);

        final long record = lists.entryAddress(entry);
        if (update)
        {
            final long oldBlock = blockAddress(entry);
            final int oldLength = lists.blockLength(entry);
            meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, addressField(block));
            meta.putInt(record + EntryDescriptor.BLOCK_LENGTH_OFFSET, length);
            meta.putLong(record + EntryDescriptor.EXPIRE_AT_OFFSET, expireAt);
            final int oldSegment = (int)(oldBlock >>> segmentShift);
            segmentLive(oldSegment, segmentLive(oldSegment) - oldLength);
            add(LIVE_BYTES_COUNTER, length - oldLength);
            policy.onAccess(entry);
        }
        else
        {
            meta.putInt(record + EntryDescriptor.HASH_OFFSET, hash);
            meta.putInt(record + EntryDescriptor.BLOCK_LENGTH_OFFSET, length);
            meta.putLong(record + EntryDescriptor.EXPIRE_AT_OFFSET, expireAt);
            meta.putInt(record + EntryDescriptor.POLICY_OFFSET, 0);
            meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, addressField(block));
            index.set(index.freeSlot(hash), hash, entry);
            add(LIVE_BYTES_COUNTER, length);
            increment(SIZE_COUNTER);
            policy.onInsert(entry);
        }
        increment(PUTS_COUNTER);
        sweep(StoreConfiguration.SWEEP_PER_PUT);
        return STORED;
    }

    /**
     * Remove {@code key}'s entry (delete and invalidate are the same operation on a cache).
     *
     * @return true if a live entry was removed.
     */
    public boolean delete(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            return false;
        }
        final int entry = lookup(key, keyOffset, keyLength, Hashing.hash(key, keyOffset, keyLength, hashSeed));
        if (NULL_INDEX == entry)
        {
            return false;
        }
        if (isExpired(entry))
        {
            remove(entry, EXPIRATIONS_COUNTER);
            return false;
        }
        remove(entry, DELETES_COUNTER);
        return true;
    }

    /**
     * Remove every entry. Hit, miss and other history counters are kept.
     */
    public void clear()
    {
        reset();
    }

    /**
     * Visit every live, unexpired entry in entry-table order (for snapshots and debugging); does not count as
     * access. The visitor must not modify the store.
     *
     * @return the number of entries visited.
     */
    public long forEach(final EntryVisitor visitor)
    {
        final int hwm = header.getInt(ENTRY_HWM_OFFSET);
        final long now = clock.time();
        long visited = 0;
        for (int entry = 0; entry < hwm; entry++)
        {
            if (0 != addressFieldOf(entry))
            {
                final long expireAt = expireAt(entry);
                if (0 != expireAt && expireAt <= now)
                {
                    continue;
                }
                final long block = blockAddress(entry);
                final UnsafeBuffer buffer = data.buffer(block);
                final int offset = MappedMemory.offset(block);
                final int keyLength = buffer.getInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET);
                final int valueLength = buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET);
                visitor.visit(
                    buffer, offset + BlockDescriptor.HEADER_LENGTH, keyLength,
                    offset + BlockDescriptor.HEADER_LENGTH + keyLength, valueLength, expireAt);
                visited++;
            }
        }
        return visited;
    }

    /**
     * Examine up to {@code limit} entry records for expiry, continuing where the last sweep stopped, and remove
     * those that expired. Puts call this for {@link StoreConfiguration#SWEEP_PER_PUT} records; an idle node's
     * duty cycle may call it with more.
     *
     * @return the number of entries removed.
     */
    public int sweep(final int limit)
    {
        final int hwm = header.getInt(ENTRY_HWM_OFFSET);
        if (0 == hwm)
        {
            return 0;
        }
        int cursor = header.getInt(SWEEP_CURSOR_OFFSET);
        long now = 0;
        int removed = 0;
        for (int i = 0; i < limit; i++)
        {
            if (cursor >= hwm)
            {
                cursor = 0;
            }
            final int entry = cursor++;
            if (0 != addressFieldOf(entry))
            {
                final long expireAt = expireAt(entry);
                if (0 != expireAt)
                {
                    if (0 == now)
                    {
                        now = clock.time();
                    }
                    if (expireAt <= now)
                    {
                        remove(entry, EXPIRATIONS_COUNTER);
                        removed++;
                        continue;
                    }
                }
                policy.onSweep(entry);
            }
        }
        header.putInt(SWEEP_CURSOR_OFFSET, cursor);
        return removed;
    }

    // ------------------------------------------------------------------------------------------------------------
    // byte[] convenience, for tools and tests (allocates the result)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The value of {@code key}, or null.
     */
    public byte[] get(final byte[] key)
    {
        keyWrapper.wrap(key);
        if (!getView(keyWrapper, 0, key.length, valueWrapper))
        {
            return null;
        }
        final byte[] value = new byte[valueWrapper.capacity()];
        valueWrapper.getBytes(0, value);
        return value;
    }

    /**
     * Store {@code value} under {@code key} with no expiry.
     *
     * @throws IllegalArgumentException if the key is empty or too long or the value is too large.
     */
    public void put(final byte[] key, final byte[] value)
    {
        put(key, value, 0);
    }

    /**
     * Store {@code value} under {@code key}, expiring after {@code ttlMs} (0 for never).
     *
     * @throws IllegalArgumentException if the key is empty or too long or the value is too large.
     */
    public void put(final byte[] key, final byte[] value, final long ttlMs)
    {
        keyWrapper.wrap(key);
        copyWrapper.wrap(value);
        checkPut(put(keyWrapper, 0, key.length, copyWrapper, 0, value.length, ttlMs, PUT), key.length, value.length);
    }

    /**
     * Delete {@code key}'s entry; true if there was one.
     */
    public boolean delete(final byte[] key)
    {
        keyWrapper.wrap(key);
        return delete(keyWrapper, 0, key.length);
    }

    /**
     * Whether {@code key} has a live entry (no effect on recency or counters).
     */
    public boolean contains(final byte[] key)
    {
        keyWrapper.wrap(key);
        return contains(keyWrapper, 0, key.length);
    }

    /**
     * Turn a {@link #put} result code into an exception with a clear message, for callers that want one.
     */
    public void checkPut(final int result, final int keyLength, final int valueLength)
    {
        if (INVALID_KEY == result)
        {
            throw new IllegalArgumentException(
                "key length " + keyLength + " is outside [1, " + StoreConfiguration.MAX_KEY_LENGTH + "]");
        }
        if (TOO_LARGE == result)
        {
            throw new IllegalArgumentException("value of " + valueLength + " bytes with a " + keyLength +
                "-byte key is larger than this store's limit of " + maxValueLength(keyLength) +
                " bytes (bounded by the segment size " + segmentSize + " and the capacity)");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Introspection
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The number of live entries (entries whose TTL passed but that were not yet swept are included).
     */
    public long size()
    {
        return header.getLong(SIZE_COUNTER);
    }

    /**
     * The longest value that can be stored with a key of {@code keyLength} bytes.
     */
    public int maxValueLength(final int keyLength)
    {
        final long maxBlock = Math.min(segmentSize, liveLimit) & -BlockDescriptor.ALIGNMENT;
        return (int)Math.max(0, maxBlock - BlockDescriptor.HEADER_LENGTH - keyLength);
    }

    public long capacityBytes()
    {
        return layout.capacityBytes;
    }

    /**
     * Bytes actually mapped (both files), never more than {@link #capacityBytes()}.
     */
    public long mappedBytes()
    {
        return layout.totalLength();
    }

    public long maxEntries()
    {
        return layout.maxEntries;
    }

    public EvictionPolicyType policyType()
    {
        return EvictionPolicyType.values()[header.getInt(POLICY_OFFSET)];
    }

    public File dir()
    {
        return dir;
    }

    /**
     * A copy of the counters (allocates; not for the request path).
     */
    public StoreStats stats()
    {
        return new StoreStats(
            header.getLong(SIZE_COUNTER),
            header.getLong(LIVE_BYTES_COUNTER),
            header.getLong(HITS_COUNTER),
            header.getLong(MISSES_COUNTER),
            header.getLong(PUTS_COUNTER),
            header.getLong(DELETES_COUNTER),
            header.getLong(EVICTIONS_COUNTER),
            header.getLong(EXPIRATIONS_COUNTER),
            header.getLong(CLEANED_SEGMENTS_COUNTER),
            header.getLong(RELOCATED_BYTES_COUNTER),
            header.getLong(REJECTED_COUNTER));
    }

    /**
     * Length of the store's image: its meta file followed by its data file. Every piece of the store's state,
     * policy order and frequencies included, is in the image, so two stores with equal images behave identically
     * from then on (what a replica restored from a snapshot needs).
     */
    public long imageLength()
    {
        return layout.metaLength + layout.dataLength;
    }

    /**
     * Copy {@code length} bytes of the image from {@code position} into {@code dst}.
     */
    public void readImage(final long position, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = position + done;
            final MappedMemory memory = at < layout.metaLength ? meta : data;
            final long address = at < layout.metaLength ? at : at - layout.metaLength;
            final int run = imageRun(memory, address, length - done);
            memory.buffer(address).getBytes(MappedMemory.offset(address), dst, dstOffset + done, run);
            done += run;
        }
    }

    /**
     * Overwrite {@code length} bytes of the image at {@code position}; follow a complete image with
     * {@link #imageRestored()}. The store must not be used in between.
     */
    public void writeImage(final long position, final DirectBuffer src, final int srcOffset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = position + done;
            final MappedMemory memory = at < layout.metaLength ? meta : data;
            final long address = at < layout.metaLength ? at : at - layout.metaLength;
            final int run = imageRun(memory, address, length - done);
            memory.buffer(address).putBytes(MappedMemory.offset(address), src, srcOffset + done, run);
            done += run;
        }
    }

    /**
     * Zero the whole image (before writing one that skips all-zero pieces).
     */
    public void clearImage()
    {
        meta.zero(0, layout.metaLength);
        data.zero(0, layout.dataLength);
    }

    /**
     * Accept an image written with {@link #writeImage}: it must be a store of this layout version with this store's
     * geometry and policy.
     *
     * @throws StoreCorruptedException if it is not.
     */
    public void imageRestored()
    {
        if (header.getLong(MAGIC_OFFSET) != MAGIC || header.getInt(VERSION_OFFSET) != LAYOUT_VERSION ||
            header.getLong(CAPACITY_OFFSET) != layout.capacityBytes ||
            header.getLong(MAX_ENTRIES_OFFSET) != layout.maxEntries ||
            header.getInt(SEGMENT_SIZE_OFFSET) != layout.segmentSize ||
            header.getInt(SEGMENT_COUNT_OFFSET) != layout.segmentCount ||
            header.getInt(POLICY_OFFSET) != policyOrdinal ||
            header.getInt(HASH_SEED_OFFSET) != hashSeed)
        {
            throw new StoreCorruptedException("the restored image is not a store with this store's layout, geometry " +
                "and policy (every replica must be configured alike)");
        }
        policy.adopted();
        header.putInt(STATE_OFFSET, STATE_OPEN);
    }

    private static int imageRun(final MappedMemory memory, final long address, final int remaining)
    {
        final long toChunkEnd = MappedMemory.CHUNK_LENGTH - MappedMemory.offset(address);
        final long toRegionEnd = memory.length() - address;
        return (int)Math.min(remaining, Math.min(toChunkEnd, toRegionEnd));
    }

    /**
     * Walk every structure and check they agree (slow: for tests and operators).
     *
     * @throws IllegalStateException describing the first inconsistency.
     */
    public void verify()
    {
        new StoreVerifier(this).verify();
    }

    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Flush and close; a persistent store is marked clean and reopens with every entry.
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
            header.putInt(STATE_OFFSET, STATE_CLEAN);
            meta.force();
        }
        finally
        {
            meta.close();
            data.close();
            if (null != lock)
            {
                try
                {
                    lock.release();
                    lockFile.close();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("failed to release lock of " + dir, ex);
                }
                finally
                {
                    OPEN_DIRS.remove(lockKey);
                }
            }
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

    // ------------------------------------------------------------------------------------------------------------
    // Internals shared with recovery, verification and policies
    // ------------------------------------------------------------------------------------------------------------

    StoreLayout layout()
    {
        return layout;
    }

    MappedMemory metaMemory()
    {
        return meta;
    }

    MappedMemory dataMemory()
    {
        return data;
    }

    UnsafeBuffer header()
    {
        return header;
    }

    HashIndex index()
    {
        return index;
    }

    EntryLists lists()
    {
        return lists;
    }

    EvictionPolicy policy()
    {
        return policy;
    }

    EpochClock clock()
    {
        return clock;
    }

    int hashSeed()
    {
        return hashSeed;
    }

    long liveLimit()
    {
        return liveLimit;
    }

    int addressFieldOf(final int entry)
    {
        return meta.getInt(lists.entryAddress(entry) + EntryDescriptor.ADDRESS_OFFSET);
    }

    long expireAt(final int entry)
    {
        return meta.getLong(lists.entryAddress(entry) + EntryDescriptor.EXPIRE_AT_OFFSET);
    }

    /**
     * Byte address in the data file of the block of a live entry.
     */
    long blockAddress(final int entry)
    {
        return blockAddressOf(addressFieldOf(entry));
    }

    static long blockAddressOf(final int addressField)
    {
        return ((addressField - 1) & 0xFFFF_FFFFL) << BlockDescriptor.ALIGNMENT_SHIFT;
    }

    static int addressField(final long blockAddress)
    {
        return (int)((blockAddress >>> BlockDescriptor.ALIGNMENT_SHIFT) + 1);
    }

    int segmentUsed(final int segment)
    {
        return meta.getInt(segmentRecord(segment) + SegmentDescriptor.USED_OFFSET);
    }

    void segmentUsed(final int segment, final int used)
    {
        meta.putInt(segmentRecord(segment) + SegmentDescriptor.USED_OFFSET, used);
    }

    int segmentLive(final int segment)
    {
        return meta.getInt(segmentRecord(segment) + SegmentDescriptor.LIVE_OFFSET);
    }

    void segmentLive(final int segment, final int live)
    {
        meta.putInt(segmentRecord(segment) + SegmentDescriptor.LIVE_OFFSET, live);
    }

    int segmentState(final int segment)
    {
        return meta.getInt(segmentRecord(segment) + SegmentDescriptor.STATE_OFFSET);
    }

    void segmentState(final int segment, final int state)
    {
        meta.putInt(segmentRecord(segment) + SegmentDescriptor.STATE_OFFSET, state);
    }

    void pushFreeSegment(final int segment)
    {
        segmentState(segment, SegmentDescriptor.STATE_FREE);
        segmentUsed(segment, 0);
        segmentLive(segment, 0);
        meta.putInt(segmentRecord(segment) + SegmentDescriptor.NEXT_FREE_OFFSET,
            header.getInt(FREE_SEGMENT_HEAD_OFFSET));
        header.putInt(FREE_SEGMENT_HEAD_OFFSET, segment);
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, header.getInt(FREE_SEGMENT_COUNT_OFFSET) + 1);
    }

    int popFreeSegment()
    {
        final int segment = header.getInt(FREE_SEGMENT_HEAD_OFFSET);
        header.putInt(FREE_SEGMENT_HEAD_OFFSET,
            meta.getInt(segmentRecord(segment) + SegmentDescriptor.NEXT_FREE_OFFSET));
        header.putInt(FREE_SEGMENT_COUNT_OFFSET, header.getInt(FREE_SEGMENT_COUNT_OFFSET) - 1);
        segmentState(segment, SegmentDescriptor.STATE_HEAD);
        segmentUsed(segment, 0);
        segmentLive(segment, 0);
        return segment;
    }

    void pushFreeEntry(final int entry)
    {
        meta.putInt(lists.entryAddress(entry) + EntryDescriptor.NEXT_OFFSET, header.getInt(FREE_ENTRY_HEAD_OFFSET));
        header.putInt(FREE_ENTRY_HEAD_OFFSET, entry);
    }

    private long segmentRecord(final int segment)
    {
        return layout.segmentTableBase + (long)segment * SegmentDescriptor.LENGTH;
    }

    private void increment(final int counter)
    {
        header.putLong(counter, header.getLong(counter) + 1);
    }

    private void add(final int counter, final long delta)
    {
        header.putLong(counter, header.getLong(counter) + delta);
    }

    /**
     * Now plus {@code ttlMs}, saturating: a TTL too long to add (Long.MAX_VALUE for "forever") never expires.
     */
    private long expiryFor(final long ttlMs)
    {
        final long now = clock.time();
        return ttlMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMs;
    }

    private boolean isExpired(final int entry)
    {
        final long expireAt = expireAt(entry);
        return 0 != expireAt && expireAt <= clock.time();
    }

    /**
     * The live, unexpired entry of {@code key} found without any side effect, or {@link EntryDescriptor#NULL_INDEX}.
     */
    private int lookupQuietly(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            return NULL_INDEX;
        }
        final int entry = lookup(key, keyOffset, keyLength, Hashing.hash(key, keyOffset, keyLength, hashSeed));
        return NULL_INDEX == entry || isExpired(entry) ? NULL_INDEX : entry;
    }

    private int copyValue(final int entry, final int keyLength, final MutableDirectBuffer dst, final int dstOffset)
    {
        final long block = blockAddress(entry);
        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        final int valueLength = buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET);
        if (valueLength <= dst.capacity() - dstOffset)
        {
            dst.putBytes(dstOffset, buffer, offset + BlockDescriptor.HEADER_LENGTH + keyLength, valueLength);
        }
        return valueLength;
    }

    private void wrapValue(final int entry, final int keyLength, final DirectBuffer view)
    {
        final long block = blockAddress(entry);
        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        view.wrap(buffer, offset + BlockDescriptor.HEADER_LENGTH + keyLength,
            buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET));
    }

    private int lookupForRead(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (keyLength <= 0 || keyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            increment(MISSES_COUNTER);
            return NULL_INDEX;
        }
        final int gets = header.getInt(GET_COUNT_OFFSET) + 1;
        header.putInt(GET_COUNT_OFFSET, gets);
        if ((gets & GET_SWEEP_MASK) == 0)
        {
            sweep(1);
        }
        final int hash = Hashing.hash(key, keyOffset, keyLength, hashSeed);
        final int entry = lookup(key, keyOffset, keyLength, hash);
        if (NULL_INDEX == entry)
        {
            increment(MISSES_COUNTER);
            policy.onMiss(hash);
            return NULL_INDEX;
        }
        if (isExpired(entry))
        {
            remove(entry, EXPIRATIONS_COUNTER);
            increment(MISSES_COUNTER);
            policy.onMiss(hash);
            return NULL_INDEX;
        }
        increment(HITS_COUNTER);
        policy.onAccess(entry);
        return entry;
    }

    /**
     * The entry holding {@code key}, expired or not, or {@link EntryDescriptor#NULL_INDEX}; leaves its slot in
     * {@link #foundSlot}.
     */
    int lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final int hash)
    {
        long slot = index.home(hash);
        long value;
        while (HashIndex.EMPTY != (value = index.get(slot)))
        {
            if (HashIndex.hashOf(value) == hash)
            {
                final int entry = HashIndex.entryOf(value);
                final long block = blockAddress(entry);
                final UnsafeBuffer buffer = data.buffer(block);
                final int offset = MappedMemory.offset(block);
                if (buffer.getInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET) == keyLength &&
                    Hashing.equal(buffer, offset + BlockDescriptor.HEADER_LENGTH, key, keyOffset, keyLength))
                {
                    foundSlot = slot;
                    return entry;
                }
            }
            slot = index.next(slot);
        }
        return NULL_INDEX;
    }

    /**
     * Take a live entry out of the store; {@code counter} says why (deletes, evictions, expirations).
     */
    void remove(final int entry, final int counter)
    {
        final long record = lists.entryAddress(entry);
        final int hash = meta.getInt(record + EntryDescriptor.HASH_OFFSET);
        final int length = meta.getInt(record + EntryDescriptor.BLOCK_LENGTH_OFFSET);
        final int segment = (int)(blockAddress(entry) >>> segmentShift);
        // The address goes first: a process killed past this point has deleted the entry.
        meta.putInt(record + EntryDescriptor.ADDRESS_OFFSET, 0);
        policy.onRemove(entry);
        final long slot = index.slotOf(hash, entry);
        if (slot >= 0)
        {
            index.remove(slot);
        }
        segmentLive(segment, segmentLive(segment) - length);
        add(LIVE_BYTES_COUNTER, -length);
        add(SIZE_COUNTER, -1);
        increment(counter);
        pushFreeEntry(entry);
        if (entry == updatingEntry)
        {
            updatingEntry = NULL_INDEX;
        }
    }

    private boolean evictOne()
    {
        final int victim = policy.victim();
        if (NULL_INDEX == victim)
        {
            return false;
        }
        remove(victim, EVICTIONS_COUNTER);
        return true;
    }

    /**
     * Make sure an entry record is free, evicting if the table is full.
     */
    private void reserveEntry()
    {
        if (NULL_INDEX == header.getInt(FREE_ENTRY_HEAD_OFFSET) &&
            header.getInt(ENTRY_HWM_OFFSET) >= layout.maxEntries)
        {
            evictOne();
        }
    }

    private int takeEntry()
    {
        final int free = header.getInt(FREE_ENTRY_HEAD_OFFSET);
        if (NULL_INDEX != free)
        {
            header.putInt(FREE_ENTRY_HEAD_OFFSET,
                meta.getInt(lists.entryAddress(free) + EntryDescriptor.NEXT_OFFSET));
            return free;
        }
        final int hwm = header.getInt(ENTRY_HWM_OFFSET);
        header.putInt(ENTRY_HWM_OFFSET, hwm + 1);
        return hwm;
    }

    /**
     * Reserve {@code length} bytes in the head segment, evicting and cleaning as needed.
     *
     * @return the byte address of the reserved block in the data file.
     */
    private long allocate(final int length)
    {
        while (header.getLong(LIVE_BYTES_COUNTER) + length > liveLimit)
        {
            if (!evictOne())
            {
                break;
            }
        }
        int attempts = 0;
        while (true)
        {
            final int head = header.getInt(HEAD_SEGMENT_OFFSET);
            final int used = segmentUsed(head);
            if (used + length <= segmentSize)
            {
                segmentUsed(head, used + length);
                segmentLive(head, segmentLive(head) + length);
                return ((long)head << segmentShift) + used;
            }
            if (header.getInt(FREE_SEGMENT_COUNT_OFFSET) > 1)
            {
                replaceHead();
            }
            else if (++attempts > 2 * layout.segmentCount || !clean())
            {
                if (!evictOne())
                {
                    throw new IllegalStateException("data log has no room for " + length + " bytes and nothing " +
                        "left to evict: " + stats());
                }
            }
        }
    }

    private void replaceHead()
    {
        segmentState(header.getInt(HEAD_SEGMENT_OFFSET), SegmentDescriptor.STATE_SEALED);
        header.putInt(HEAD_SEGMENT_OFFSET, popFreeSegment());
    }

    /**
     * Compact the sealed segment with the fewest live bytes into the head and free it.
     *
     * @return false if no sealed segment has anything to reclaim.
     */
    private boolean clean()
    {
        int victim = NULL_INDEX;
        int victimLive = Integer.MAX_VALUE;
        for (int s = 0; s < layout.segmentCount; s++)
        {
            if (SegmentDescriptor.STATE_SEALED == segmentState(s))
            {
                final int live = segmentLive(s);
                if (live < victimLive)
                {
                    victim = s;
                    victimLive = live;
                }
            }
        }
        if (NULL_INDEX == victim || victimLive >= segmentUsed(victim))
        {
            return false;
        }

        final long base = (long)victim << segmentShift;
        final int used = segmentUsed(victim);
        long relocated = 0;
        int position = 0;
        while (position < used)
        {
            final long block = base + position;
            final UnsafeBuffer buffer = data.buffer(block);
            final int offset = MappedMemory.offset(block);
            final int entry = buffer.getInt(offset + BlockDescriptor.ENTRY_OFFSET);
            final int length = BlockDescriptor.blockLength(
                buffer.getInt(offset + BlockDescriptor.KEY_LENGTH_OFFSET),
                buffer.getInt(offset + BlockDescriptor.VALUE_LENGTH_OFFSET));
            if (entry >= 0 && entry < header.getInt(ENTRY_HWM_OFFSET) && addressFieldOf(entry) == addressField(block))
            {
                if (relocate(entry, block, length))
                {
                    relocated += length;
                }
            }
            position += length;
        }
        pushFreeSegment(victim);
        increment(CLEANED_SEGMENTS_COUNTER);
        add(RELOCATED_BYTES_COUNTER, relocated);
        return true;
    }

    private boolean relocate(final int entry, final long from, final int length)
    {
        int head = header.getInt(HEAD_SEGMENT_OFFSET);
        int used = segmentUsed(head);
        if (used + length > segmentSize)
        {
            if (0 == header.getInt(FREE_SEGMENT_COUNT_OFFSET))
            {
                remove(entry, EVICTIONS_COUNTER);
                return false;
            }
            replaceHead();
            head = header.getInt(HEAD_SEGMENT_OFFSET);
            used = 0;
        }
        final long to = ((long)head << segmentShift) + used;
        data.buffer(to).putBytes(MappedMemory.offset(to), data.buffer(from), MappedMemory.offset(from), length);
        segmentUsed(head, used + length);
        segmentLive(head, segmentLive(head) + length);
        final int fromSegment = (int)(from >>> segmentShift);
        segmentLive(fromSegment, segmentLive(fromSegment) - length);
        meta.putInt(lists.entryAddress(entry) + EntryDescriptor.ADDRESS_OFFSET, addressField(to));
        return true;
    }
}
