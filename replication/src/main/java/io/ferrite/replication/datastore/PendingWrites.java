package io.ferrite.replication.datastore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The write-behind pending set: per key, the last write the group acknowledged that the database has not yet
 * confirmed. It is replicated state (changed only by commands applied from the log, with the log's time and
 * positions, and written into snapshots), so whichever member leads next finishes the flush.
 * <p>
 * A write to a key that is already pending replaces the pending value in place (coalescing: many writes to one key
 * become one database write) and keeps the key's place and dirty-since time, so the oldest pending write is always at
 * the head and is flushed first. A flush acknowledgement removes a key only if the version it flushed is at least
 * the pending version; a write applied while its older version was being flushed stays pending. The set is bounded
 * by entries and bytes: {@link #add} answers {@link #FULL} rather than dropping anything. Pending values are
 * authoritative for reads: a key whose cache entry was evicted or expired is still answered from here until the
 * database has it, so a dirty entry is never lost to eviction.
 * <b>Note:</b> not thread-safe; used on the service thread only.
 */
public final class PendingWrites
{
    /** {@link #add} result: the write is pending. */
    public static final int ADDED = 0;
    /** {@link #add} result: the write replaced a pending write of the same key. */
    public static final int COALESCED = 1;
    /** {@link #add} result: the set is full; the write was not taken (the caller gets a backpressure error). */
    public static final int FULL = 2;

    static final int ENTRY_OVERHEAD = 48;

    private final LinkedHashMap<ByteKey, Entry> entries = new LinkedHashMap<>();
    private final int maxEntries;
    private final long maxBytes;
    private long bytes;
    private long coalesced;
    private long acknowledged;

    /**
     * One pending write.
     */
    public static final class Entry
    {
        final byte[] key;
        byte[] value;
        long version;
        final long dirtySinceMs;

        Entry(final byte[] key, final byte[] value, final long version, final long dirtySinceMs)
        {
            this.key = key;
            this.value = value;
            this.version = version;
            this.dirtySinceMs = dirtySinceMs;
        }

        public byte[] key()
        {
            return key;
        }

        /**
         * @return the pending value, or {@code null} for a pending delete.
         */
        public byte[] value()
        {
            return value;
        }

        public long version()
        {
            return version;
        }

        /**
         * @return cluster time (ms) of the first write since the key was last clean.
         */
        public long dirtySinceMs()
        {
            return dirtySinceMs;
        }

        long footprint()
        {
            return ENTRY_OVERHEAD + key.length + (null == value ? 0 : value.length);
        }
    }

    public PendingWrites(final int maxEntries, final long maxBytes)
    {
        if (maxEntries < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("maxEntries and maxBytes must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * Record an acknowledged write (value {@code null}: a delete); the arrays are kept, not copied.
     *
     * @param version must exceed every earlier version of the key (the command's log position).
     * @return {@link #ADDED}, {@link #COALESCED} or {@link #FULL}.
     */
    public int add(final byte[] key, final byte[] value, final long version, final long nowMs)
    {
        final ByteKey k = new ByteKey(key);
        final Entry existing = entries.get(k);
        final long size = ENTRY_OVERHEAD + key.length + (null == value ? 0 : value.length);
        if (null != existing)
        {
            final long grown = bytes - existing.footprint() + size;
            if (grown > maxBytes)
            {
                return FULL;
            }
            bytes = grown;
            existing.value = value;
            existing.version = version;
            coalesced++;
            return COALESCED;
        }
        if (entries.size() >= maxEntries || bytes + size > maxBytes)
        {
            return FULL;
        }
        entries.put(k, new Entry(key, value, version, nowMs));
        bytes += size;
        return ADDED;
    }

    /**
     * Would a new key of this size fit (for a caller that must decide before it applies a write)?
     */
    public boolean hasRoomFor(final byte[] key, final int valueLength)
    {
        final Entry existing = entries.get(new ByteKey(key));
        final long size = ENTRY_OVERHEAD + key.length + valueLength;
        if (null != existing)
        {
            return bytes - existing.footprint() + size <= maxBytes;
        }
        return entries.size() < maxEntries && bytes + size <= maxBytes;
    }

    /**
     * The database committed {@code key} at {@code version}: forget the pending write if it is no newer.
     *
     * @return whether the key is now clean.
     */
    public boolean acknowledge(final byte[] key, final long version)
    {
        final ByteKey k = new ByteKey(key);
        final Entry entry = entries.get(k);
        if (null == entry || entry.version > version)
        {
            return null == entry;
        }
        entries.remove(k);
        bytes -= entry.footprint();
        acknowledged++;
        return true;
    }

    /**
     * @return the pending write of {@code key}, or {@code null} if it is clean.
     */
    public Entry get(final byte[] key)
    {
        return entries.get(new ByteKey(key));
    }

    /**
     * The oldest pending writes that became dirty at or before {@code dirtyBeforeMs}, at most {@code max}, oldest
     * first, as records to flush (the values are shared, not copied).
     */
    public List<DataStoreRecord> oldest(final int max, final long dirtyBeforeMs)
    {
        final List<DataStoreRecord> batch = new ArrayList<>(Math.min(max, entries.size()));
        final Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext() && batch.size() < max)
        {
            final Entry entry = it.next();
            if (entry.dirtySinceMs > dirtyBeforeMs)
            {
                break;
            }
            batch.add(new DataStoreRecord(entry.key, entry.value, entry.version));
        }
        return batch;
    }

    /**
     * Every pending write, oldest first (for snapshots and tests).
     */
    public Iterable<Entry> entries()
    {
        return entries.values();
    }

    /**
     * Restore one entry from a snapshot, in the snapshot's (oldest-first) order.
     */
    public void restore(final byte[] key, final byte[] value, final long version, final long dirtySinceMs)
    {
        final Entry entry = new Entry(key, value, version, dirtySinceMs);
        final Entry old = entries.put(new ByteKey(key), entry);
        if (null != old)
        {
            bytes -= old.footprint();
        }
        bytes += entry.footprint();
    }

    public int size()
    {
        return entries.size();
    }

    public long bytes()
    {
        return bytes;
    }

    public int maxEntries()
    {
        return maxEntries;
    }

    public long maxBytes()
    {
        return maxBytes;
    }

    /**
     * @return cluster time (ms) since which the oldest pending key has been dirty, or -1 when the set is empty.
     */
    public long oldestDirtySinceMs()
    {
        if (entries.isEmpty())
        {
            return -1;
        }
        final Map.Entry<ByteKey, Entry> head = entries.entrySet().iterator().next();
        return head.getValue().dirtySinceMs;
    }

    /**
     * @return writes that replaced a pending write of the same key (database writes saved).
     */
    public long coalesced()
    {
        return coalesced;
    }

    /**
     * @return keys made clean by flush acknowledgements.
     */
    public long acknowledged()
    {
        return acknowledged;
    }
}
