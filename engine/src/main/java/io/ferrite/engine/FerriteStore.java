package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.StoreDescriptor.*;

/**
 * A single-node, off-heap key-value cache store in memory-mapped files.
 * <p>
 * <b>Memory.</b> A store is two files in its directory (or two unlinked files for an anonymous store,
 * {@link StoreFiles}). The {@code meta} file holds a header, the eviction policy's region, a segment table, an
 * open-addressed hash index ({@link HashIndex}) and an entry table of fixed 16-byte records ({@link EntryTable});
 * the {@code data} file is a log of equal segments holding each entry's key, value, expiry and checksum as one
 * immutable block ({@link DataLog}). Everything, including list heads and counters, lives in the mappings: the Java
 * heap holds a few dozen objects however many entries there are, so the collector has nothing to trace. Together the
 * files take at most the capacity asked for. See {@link StoreDescriptor}, {@link EntryDescriptor},
 * {@link BlockDescriptor} and {@link SegmentDescriptor} for the record layouts (layout version 3).
 * <p>
 * <b>Lookup.</b> The key's hash picks a home slot in the index; linear probing compares the 32-bit hash stored in
 * each slot and, on a match, the key bytes in the block the slot points at, which also holds the value and names the
 * entry. A get is therefore two dependent loads (slot, block); the policy's bookkeeping for a hit or an update is
 * recorded in an {@link AccessBuffer} and applied in batches whose loads overlap. Deletion shifts later slots back (no
 * tombstones).
 * <p>
 * <b>Allocation.</b> Blocks are appended to the head segment and never changed in place: an update writes a new
 * block and then switches the entry's address with one int store, which publishes the new value and its expiry
 * together. The cleaner compacts the sealed segment with the fewest live bytes when the log runs out of free
 * segments; eviction keeps live bytes under the log's fill ratio, so mixed 16-byte and 64-KiB values never strand
 * free space, and the hit ratio tracks a byte-aware LRU.
 * <p>
 * <b>Eviction and expiry.</b> Entries are linked by int index into the policy's lists (W-TinyLFU by default; exact
 * LRU, or LFU/MFU with aging). Buffered hits are applied before any other policy call, so the policy sees exactly
 * the unbuffered sequence of calls. A put evicts the policy's victims until the new block fits both the byte budget
 * and the entry table. An entry's TTL is checked against the injected clock on every access (an expired entry is
 * never returned and is removed then), and an incremental sweep ({@link Expiry}) examines a few entry records per
 * put and per 64 gets and removes those that expired.
 * <p>
 * <b>Durability.</b> The header records OPEN while the store is in use and CLEAN after {@link #close()} has
 * flushed it. Because blocks are written before they are published, a process killed at any instruction leaves
 * every published address pointing at a complete block; on the next open a store found OPEN is rebuilt from its
 * entry records after each block's owner, bounds and checksum are checked (or discarded, or refused:
 * {@link RecoveryMode}).
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

    static final String META_FILE = StoreFiles.META_FILE;
    static final String DATA_FILE = StoreFiles.DATA_FILE;
    static final String LOCK_FILE = StoreFiles.LOCK_FILE;
    private static final int GET_SWEEP_MASK = 63;

    private final StoreFiles files;
    private final StoreLayout layout;
    private final MappedMemory meta;
    private final MappedMemory data;
    private final UnsafeBuffer header;
    private final StoreCounters counters;
    private final HashIndex index;
    private final EntryTable entries;
    private final EntryLists lists;
    private final DataLog log;
    private final Expiry expiry;
    private final EvictionPolicy policy;
    private final AccessBuffer accesses;
    private final StoreImage image;
    private final int hashSeed;
    private final int policyOrdinal;
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer copyWrapper = new UnsafeBuffer(0, 0);
    private final File scratchDir;
    private ImageSnapshot snapshot;
    private long foundSlot;
    private long foundBlock;
    private int updatingEntry = NULL_INDEX;
    private long updatingBlock;
    private long relocationSink;

    private FerriteStore(final StoreFiles files, final StoreContext ctx)
    {
        this.files = files;
        this.layout = files.layout;
        this.meta = files.meta;
        this.data = files.data;
        this.header = meta.buffer(0);
        this.hashSeed = header.getInt(HASH_SEED_OFFSET);
        this.policyOrdinal = files.policy.ordinal();
        this.counters = new StoreCounters(header);
        this.index = new HashIndex(meta, layout.indexBase, layout.indexSlots);
        this.entries = new EntryTable(meta, header, layout.entriesBase, layout.maxEntries);
        this.lists = new EntryLists(meta, layout.entriesBase, data, hashSeed);
        this.policy = EvictionPolicy.create(
            files.policy, lists, meta, layout.policyBase, layout.maxEntries, files.agingPeriod);
        this.log = new DataLog(layout, meta, data, counters, entries,
            layout.liveLimit(header.getInt(FILL_RATIO_OFFSET) / 1000.0));
        this.log.owner(new LogOwner());
        this.expiry = new Expiry(this, entries, data, header, ctx.clock());
        this.accesses = new AccessBuffer(policy, entries, meta);
        this.image = new StoreImage(layout, meta, data);
        this.scratchDir = null != ctx.anonymousDir() ? ctx.anonymousDir() :
            new File(System.getProperty("java.io.tmpdir"));
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
        final StoreFiles files = StoreFiles.open(ctx);
        try
        {
            final FerriteStore store = new FerriteStore(files, ctx);
            if (files.created)
            {
                store.reset();
            }
            else if (STATE_CLEAN == files.foundState)
            {
                store.policy.adopted();
            }
            else
            {
                switch (ctx.recoveryMode())
                {
                    case REJECT:
                        throw new StoreCorruptedException(
                            "store " + files.dir() + " was not closed cleanly (its process died while it was open); " +
                            "open it with RecoveryMode.REBUILD or DISCARD, or delete the directory");
                    case DISCARD:
                        store.reset();
                        break;
                    default:
                        StoreRecovery.rebuild(store);
                        break;
                }
            }
            files.markOpen();
            return store;
        }
        catch (final RuntimeException ex)
        {
            try
            {
                files.abandon();
            }
            catch (final RuntimeException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    /**
     * Empty everything: index, entry table, segments, policy and size counters (not the hit/miss history).
     */
    void reset()
    {
        accesses.discard();
        index.clear();
        counters.set(SIZE_COUNTER, 0);
        counters.set(LIVE_BYTES_COUNTER, 0);
        entries.reset();
        expiry.reset();
        policy.reset();
        log.reset();
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
        if (NULL_INDEX == lookupForRead(key, keyOffset, keyLength))
        {
            return NOT_FOUND;
        }
        return copyFoundValue(dst, dstOffset);
    }

    /**
     * Point {@code view} at the stored value of {@code key}, copying nothing. The view is valid until the next
     * call that modifies the store (put, delete, clear, a get that triggers the sweep, close).
     *
     * @return true if the key has a live entry.
     */
    public boolean getView(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer view)
    {
        if (NULL_INDEX == lookupForRead(key, keyOffset, keyLength))
        {
            return false;
        }
        wrapFoundValue(view);
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
        if (NULL_INDEX == lookupQuietly(key, keyOffset, keyLength))
        {
            return NOT_FOUND;
        }
        return copyFoundValue(dst, dstOffset);
    }

    /**
     * Point {@code view} at the value of {@code key} without changing anything, as {@link #peek} does; valid until
     * the next call that modifies the store.
     *
     * @return true if the key has a live, unexpired entry.
     */
    public boolean peekView(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer view)
    {
        if (NULL_INDEX == lookupQuietly(key, keyOffset, keyLength))
        {
            return false;
        }
        wrapFoundValue(view);
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
        if (!Keys.isValidLength(keyLength))
        {
            counters.increment(REJECTED_COUNTER);
            return INVALID_KEY;
        }
        if (NULL_INDEX == lookupForRead(key, keyOffset, keyLength))
        {
            return NOT_STORED;
        }
        final UnsafeBuffer buffer = data.buffer(foundBlock);
        final int offset = MappedMemory.offset(foundBlock);
        if (BlockDescriptor.valueLength(buffer, offset) != expectedLength ||
            !Hashing.equal(buffer, BlockDescriptor.valueOffset(buffer, offset), expected, expectedOffset,
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
        return NULL_INDEX != lookupQuietly(key, keyOffset, keyLength);
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
        final int check = checkSizes(keyLength, valueLength);
        if (STORED != check)
        {
            return check;
        }
        return store(key, keyOffset, keyLength, value, valueOffset, valueLength,
            ttlMs > 0 ? expiry.expiryFor(ttlMs) : 0, mode);
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
        final int check = checkSizes(keyLength, valueLength);
        if (STORED != check)
        {
            return check;
        }
        return store(key, keyOffset, keyLength, value, valueOffset, valueLength, expireAt, PUT);
    }

    /**
     * Remove {@code key}'s entry (delete and invalidate are the same operation on a cache).
     *
     * @return true if a live entry was removed.
     */
    public boolean delete(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (!Keys.isValidLength(keyLength))
        {
            return false;
        }
        final int entry = lookup(key, keyOffset, keyLength, Hashing.hash(key, keyOffset, keyLength, hashSeed));
        if (NULL_INDEX == entry)
        {
            return false;
        }
        if (foundExpired())
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
        final long[] visited = new long[1];
        final EntryVisitor counting = (buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
        {
            visitor.visit(buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt);
            visited[0]++;
        };
        int cursor = 0;
        while (cursor >= 0)
        {
            cursor = forEach(cursor, Integer.MAX_VALUE, counting);
        }
        return visited[0];
    }

    /**
     * Visit the live, unexpired entries among {@code records} entry records from record {@code cursor} on, in
     * entry-table order, as {@link #forEach(EntryVisitor)} does for all of them: a scan of the whole store in steps
     * (start at 0, pass back what each step returns) that lets other work run in between. An entry that stays
     * live and keeps its key during the whole scan is visited exactly once; one written or deleted in between may be
     * visited once, twice or not at all, so a caller that must see every key also follows the writes made meanwhile.
     *
     * @return the cursor for the next step, or -1 when no record is left after this step.
     */
    public int forEach(final int cursor, final int records, final EntryVisitor visitor)
    {
        if (cursor < 0 || records < 1)
        {
            throw new IllegalArgumentException("need cursor >= 0 and records >= 1, got " + cursor + ", " + records);
        }
        final int hwm = entries.highWaterMark();
        final int end = (int)Math.min(hwm, (long)cursor + records);
        final long now = expiry.clock().time();
        for (int entry = cursor; entry < end; entry++)
        {
            if (entries.isLive(entry))
            {
                final long block = entries.blockAddress(entry);
                final UnsafeBuffer buffer = data.buffer(block);
                final int offset = MappedMemory.offset(block);
                final long expireAt = BlockDescriptor.expireAt(buffer, offset);
                if (0 != expireAt && expireAt <= now)
                {
                    continue;
                }
                final int keyOffset = BlockDescriptor.keyOffset(buffer, offset);
                final int keyLength = BlockDescriptor.keyLength(buffer, offset);
                visitor.visit(buffer, keyOffset, keyLength, keyOffset + keyLength,
                    BlockDescriptor.valueLength(buffer, offset), expireAt);
            }
        }
        return end >= hwm ? -1 : end;
    }

    /**
     * Entry records a step-wise {@link #forEach(int, int, EntryVisitor)} from {@code cursor} has still to examine
     * (0 when done): an upper bound of the entries it can still visit, for progress reports.
     */
    public int recordsAfter(final int cursor)
    {
        return cursor < 0 ? 0 : Math.max(0, entries.highWaterMark() - cursor);
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
        if (policy.observesSweep())
        {
            accesses.drain();
        }
        return expiry.sweep(limit, policy);
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
            throw new IllegalArgumentException(Keys.describeInvalid(keyLength));
        }
        if (TOO_LARGE == result)
        {
            throw new IllegalArgumentException("value of " + valueLength + " bytes with a " + keyLength +
                "-byte key is larger than this store's limit of " + maxValueLength(keyLength) +
                " bytes (bounded by the segment size " + log.segmentSize() + " and the capacity)");
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
        return counters.get(SIZE_COUNTER);
    }

    /**
     * The longest value that can be stored with a key of {@code keyLength} bytes (with an expiry: 8 bytes less).
     */
    public int maxValueLength(final int keyLength)
    {
        final long maxBlock = Math.min(log.segmentSize(), log.liveLimit()) & -BlockDescriptor.ALIGNMENT;
        return (int)Math.max(0, maxBlock - BlockDescriptor.MAX_HEADER_LENGTH - BlockDescriptor.EXPIRE_AT_LENGTH -
            keyLength);
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
        return files.dir();
    }

    /**
     * A copy of the counters (allocates; not for the request path).
     */
    public StoreStats stats()
    {
        return counters.stats();
    }

    /**
     * Length of the store's image: its meta file followed by its data file. Every piece of the store's state,
     * policy order and frequencies included, is in the image, so two stores with equal images behave identically
     * from then on (what a replica restored from a snapshot needs).
     */
    public long imageLength()
    {
        return image.length();
    }

    /**
     * Copy {@code length} bytes of the image from {@code position} into {@code dst}.
     */
    public void readImage(final long position, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        accesses.drain();
        counters.publish();
        image.read(position, dst, dstOffset, length);
    }

    /**
     * Start a snapshot: a consistent image of the store as it is now, which another thread may write out while this
     * one keeps serving ({@link ImageSnapshot}). The pause is one copy of the meta file (about 30 bytes per entry
     * of capacity plus the policy's state); data segments are copied later, or just before the cleaner reuses them.
     * At most one snapshot is open at a time.
     *
     * @throws IllegalStateException if a snapshot is still open.
     */
    public ImageSnapshot snapshot()
    {
        if (null != snapshot && !snapshot.isClosed())
        {
            throw new IllegalStateException("a snapshot of this store is still open: close it first");
        }
        accesses.drain();
        counters.publish();
        final MappedMemory reusable = null == snapshot ? null : snapshot.releasedMetaCopy();
        snapshot = new ImageSnapshot(this, scratchDir, reusable);
        return snapshot;
    }

    /**
     * Give an open snapshot the data segments it still needs before they are overwritten other than by the log.
     */
    private void preserveSnapshot()
    {
        if (null != snapshot && !snapshot.isClosed())
        {
            for (int s = 0; s < layout.segmentCount; s++)
            {
                snapshot.beforeFree(s);
            }
        }
    }

    /**
     * Overwrite {@code length} bytes of the image at {@code position}; follow a complete image with
     * {@link #imageRestored()}. The store must not be used in between.
     */
    public void writeImage(final long position, final DirectBuffer src, final int srcOffset, final int length)
    {
        preserveSnapshot();
        accesses.discard();
        counters.discardPending();
        image.write(position, src, srcOffset, length);
    }

    /**
     * Zero the whole image (before writing one that skips all-zero pieces).
     */
    public void clearImage()
    {
        preserveSnapshot();
        accesses.discard();
        counters.discardPending();
        image.clear();
    }

    /**
     * Accept an image written with {@link #writeImage}: it must be a store of this layout version with this store's
     * geometry and policy.
     *
     * @throws StoreCorruptedException if it is not.
     */
    public void imageRestored()
    {
        if (!image.matches(policyOrdinal, hashSeed))
        {
            throw new StoreCorruptedException("the restored image is not a store with this store's layout, geometry " +
                "and policy (every replica must be configured alike)");
        }
        policy.adopted();
        header.putInt(STATE_OFFSET, STATE_OPEN);
    }

    /**
     * Walk every structure and check they agree, every block's checksum included (slow: for tests and operators).
     *
     * @throws IllegalStateException describing the first inconsistency.
     */
    public void verify()
    {
        accesses.drain();
        counters.publish();
        new StoreVerifier(this).verify();
    }

    public boolean isClosed()
    {
        return files.isClosed();
    }

    /**
     * Flush and close; a persistent store is marked clean and reopens with every entry.
     */
    public void close()
    {
        if (!files.isClosed())
        {
            if (null != snapshot)
            {
                snapshot.close();
                snapshot.releasedMetaCopy().close();
                snapshot = null;
            }
            accesses.drain();
            counters.publish();
            files.close();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The request paths
    // ------------------------------------------------------------------------------------------------------------

    private int checkSizes(final int keyLength, final int valueLength)
    {
        if (!Keys.isValidLength(keyLength))
        {
            counters.increment(REJECTED_COUNTER);
            return INVALID_KEY;
        }
        if (valueLength < 0 || valueLength > maxValueLength(keyLength))
        {
            counters.increment(REJECTED_COUNTER);
            return TOO_LARGE;
        }
        return STORED;
    }

    /**
     * The entry holding {@code key}, expired or not, or {@link EntryDescriptor#NULL_INDEX}; leaves its slot in
     * {@link #foundSlot} and its block in {@link #foundBlock}.
     */
    int lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final int hash)
    {
        long slot = index.home(hash);
        long value;
        while (HashIndex.EMPTY != (value = index.get(slot)))
        {
            if (HashIndex.hashOf(value) == hash)
            {
                final long block = EntryTable.blockAddressOf(HashIndex.addressFieldOf(value));
                final UnsafeBuffer buffer = data.buffer(block);
                final int offset = MappedMemory.offset(block);
                if (BlockDescriptor.keyLength(buffer, offset) == keyLength &&
                    Hashing.equal(buffer, BlockDescriptor.keyOffset(buffer, offset), key, keyOffset, keyLength))
                {
                    foundSlot = slot;
                    foundBlock = block;
                    return buffer.getInt(offset + BlockDescriptor.ENTRY_OFFSET);
                }
            }
            slot = index.next(slot);
        }
        return NULL_INDEX;
    }

    private boolean foundExpired()
    {
        return expiry.hasPassed(BlockDescriptor.expireAt(data.buffer(foundBlock), MappedMemory.offset(foundBlock)));
    }

    /**
     * The live, unexpired entry of {@code key} found without any side effect, or {@link EntryDescriptor#NULL_INDEX}.
     */
    private int lookupQuietly(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (!Keys.isValidLength(keyLength))
        {
            return NULL_INDEX;
        }
        final int entry = lookup(key, keyOffset, keyLength, Hashing.hash(key, keyOffset, keyLength, hashSeed));
        return NULL_INDEX == entry || foundExpired() ? NULL_INDEX : entry;
    }

    private int lookupForRead(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        if (!Keys.isValidLength(keyLength))
        {
            counters.miss();
            return NULL_INDEX;
        }
        final int gets = header.getInt(GET_COUNT_OFFSET) + 1;
        header.putInt(GET_COUNT_OFFSET, gets);
        if ((gets & GET_SWEEP_MASK) == 0)
        {
            counters.publish();
            sweep(1);
        }
        final int hash = Hashing.hash(key, keyOffset, keyLength, hashSeed);
        final int entry = lookup(key, keyOffset, keyLength, hash);
        if (NULL_INDEX == entry)
        {
            counters.miss();
            accesses.drain();
            policy.onMiss(hash);
            return NULL_INDEX;
        }
        if (foundExpired())
        {
            remove(entry, EXPIRATIONS_COUNTER);
            counters.miss();
            policy.onMiss(hash);
            return NULL_INDEX;
        }
        counters.hit();
        accesses.record(entry, hash);
        return entry;
    }

    private int copyFoundValue(final MutableDirectBuffer dst, final int dstOffset)
    {
        final UnsafeBuffer buffer = data.buffer(foundBlock);
        final int offset = MappedMemory.offset(foundBlock);
        final int valueLength = BlockDescriptor.valueLength(buffer, offset);
        if (valueLength <= dst.capacity() - dstOffset)
        {
            dst.putBytes(dstOffset, buffer, BlockDescriptor.valueOffset(buffer, offset), valueLength);
        }
        return valueLength;
    }

    private void wrapFoundValue(final DirectBuffer view)
    {
        final UnsafeBuffer buffer = data.buffer(foundBlock);
        final int offset = MappedMemory.offset(foundBlock);
        view.wrap(buffer, BlockDescriptor.valueOffset(buffer, offset), BlockDescriptor.valueLength(buffer, offset));
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
        if (NULL_INDEX != entry && foundExpired())
        {
            remove(entry, EXPIRATIONS_COUNTER);
            entry = NULL_INDEX;
        }
        if ((PUT_IF_ABSENT == mode && NULL_INDEX != entry) || (REPLACE == mode && NULL_INDEX == entry))
        {
            return NOT_STORED;
        }
        final boolean expires = 0 != expireAt;
        final int length = BlockDescriptor.blockLength(keyLength, valueLength, expires);

        // Evictions and the cleaner may run before the new block exists: they clear updatingEntry if they remove the
        // entry and move updatingBlock if they relocate its block.
        updatingEntry = entry;
        updatingBlock = foundBlock;
        if (NULL_INDEX == entry && entries.isFull())
        {
            evictOne();
        }
        final long block = log.allocate(length);
        final boolean update = NULL_INDEX != updatingEntry;
        final long oldBlock = updatingBlock;
        updatingEntry = NULL_INDEX;
        if (!update)
        {
            entry = entries.take();
        }

        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        int at = BlockDescriptor.putHeader(buffer, offset, entry, keyLength, valueLength, expires);
        if (expires)
        {
            buffer.putLong(at, expireAt);
            at += BlockDescriptor.EXPIRE_AT_LENGTH;
        }
        buffer.putBytes(at, key, keyOffset, keyLength);
        buffer.putBytes(at + keyLength, value, valueOffset, valueLength);
        final int checked = offset + BlockDescriptor.CHECKED_OFFSET;
        buffer.putInt(offset + BlockDescriptor.CHECKSUM_OFFSET,
            Checksum.of(buffer, checked, at + keyLength + valueLength - checked));

        final int field = EntryTable.addressField(block);
        final int word = expires ? field | EntryDescriptor.TTL_BIT : field;
        if (update)
        {
            // The old block and the slot found by the lookup are still in cache: the entry record is only written,
            // and the policy's access is buffered like a hit's, so an update waits for no miss beyond the lookup's.
            final int oldField = EntryTable.addressField(oldBlock);
            final int oldLength = BlockDescriptor.lengthOf(data.buffer(oldBlock), MappedMemory.offset(oldBlock));
            final long slot = HashIndex.slotValue(hash, oldField) == index.get(foundSlot) ?
                foundSlot : index.slotOf(hash, oldField);
            // The address word publishes the new value and its expiry together.
            entries.addressWord(entry, word);
            index.set(slot, hash, field);
            log.released(oldBlock, oldLength);
            counters.add(LIVE_BYTES_COUNTER, length - oldLength);
            accesses.record(entry, hash);
        }
        else
        {
            accesses.drain();
            entries.init(entry, word);
            index.set(index.freeSlot(hash), hash, field);
            counters.add(LIVE_BYTES_COUNTER, length);
            counters.increment(SIZE_COUNTER);
            policy.onInsert(entry);
        }
        counters.put();
        sweep(StoreConfiguration.SWEEP_PER_PUT);
        return STORED;
    }

    /**
     * Take a live entry out of the store; {@code counter} says why (deletes, evictions, expirations).
     */
    void remove(final int entry, final int counter)
    {
        accesses.drain();
        final int field = entries.addressField(entry);
        final long block = EntryTable.blockAddressOf(field);
        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        final int hash = Hashing.hash(
            buffer, BlockDescriptor.keyOffset(buffer, offset), BlockDescriptor.keyLength(buffer, offset), hashSeed);
        final int length = BlockDescriptor.lengthOf(buffer, offset);
        // The address goes first: a process killed past this point has deleted the entry.
        entries.addressWord(entry, 0);
        policy.onRemove(entry);
        final long slot = index.slotOf(hash, field);
        if (slot >= 0)
        {
            index.remove(slot);
        }
        log.released(block, length);
        counters.add(LIVE_BYTES_COUNTER, -length);
        counters.add(SIZE_COUNTER, -1);
        counters.increment(counter);
        entries.pushFree(entry);
        if (entry == updatingEntry)
        {
            updatingEntry = NULL_INDEX;
        }
    }

    private boolean evictOne()
    {
        accesses.drain();
        final int victim = policy.victim();
        if (NULL_INDEX == victim)
        {
            return false;
        }
        remove(victim, EVICTIONS_COUNTER);
        return true;
    }

    /**
     * The log's view of the store.
     */
    private final class LogOwner implements DataLog.Owner
    {
        public boolean evictOne()
        {
            return FerriteStore.this.evictOne();
        }

        public int prepareRelocation(final long block)
        {
            final UnsafeBuffer buffer = data.buffer(block);
            final int offset = MappedMemory.offset(block);
            final int hash = Hashing.hash(
                buffer, BlockDescriptor.keyOffset(buffer, offset), BlockDescriptor.keyLength(buffer, offset), hashSeed);
            relocationSink += index.get(index.home(hash));
            return hash;
        }

        public void relocated(final int entry, final long from, final long to, final int hash)
        {
            final int fromField = EntryTable.addressField(from);
            final int toField = EntryTable.addressField(to);
            final long slot = index.slotOf(hash, fromField);
            entries.addressWord(entry, (entries.addressWord(entry) & EntryDescriptor.TTL_BIT) | toField);
            if (slot >= 0)
            {
                index.set(slot, hash, toField);
            }
            if (entry == updatingEntry)
            {
                updatingBlock = to;
            }
        }

        public void dropped(final int entry)
        {
            remove(entry, EVICTIONS_COUNTER);
        }

        public void freeing(final int segment, final int used)
        {
            if (null != snapshot && !snapshot.isClosed())
            {
                snapshot.beforeFree(segment);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals shared with recovery, verification, policies and tests
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

    /**
     * The header page, with every counted hit, miss and put added to it.
     */
    UnsafeBuffer header()
    {
        counters.publish();
        return header;
    }

    HashIndex index()
    {
        return index;
    }

    EntryLists lists()
    {
        accesses.drain();
        return lists;
    }

    EntryTable entries()
    {
        return entries;
    }

    DataLog log()
    {
        return log;
    }

    StoreCounters counters()
    {
        return counters;
    }

    /**
     * The policy, with every buffered hit applied (so what the caller reads is the exact state).
     */
    EvictionPolicy policy()
    {
        accesses.drain();
        return policy;
    }

    EpochClock clock()
    {
        return expiry.clock();
    }

    int hashSeed()
    {
        return hashSeed;
    }

    long liveLimit()
    {
        return log.liveLimit();
    }

    /**
     * Byte address in the data file of the block of a live entry.
     */
    long blockAddress(final int entry)
    {
        return entries.blockAddress(entry);
    }
}
