package io.ferrite.replication;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The source side of a partition being moved: keys still to copy (every key of the partition when the move began,
 * plus every key written since) in order, each with the expiry it had when queued, and the batch handed to the
 * copier and not yet acknowledged.
 * <p>
 * A batch is acknowledged by asking for the next one, so a copier that dies, or whose answer is lost, can ask for
 * the same batch again and gets it (with the keys' current values). A key written after it was handed out is
 * queued again, so the last batch read before the cut-over carries every acknowledged write. <b>Note:</b> not
 * thread-safe; replicated state, changed only on the service thread.
 */
final class MovingPartition
{
    private final LinkedHashMap<KeyBytes, Long> queued = new LinkedHashMap<>();
    private final HashSet<KeyBytes> members = new HashSet<>();
    private boolean membersKnown;
    private final List<KeyBytes> batchKeys = new ArrayList<>();
    private final List<Long> batchExpiry = new ArrayList<>();
    private long sequence;
    private int scanCursor = -1;

    /**
     * Queue {@code key} (again) with the expiry its entry now has; keeps its place if already queued.
     */
    void queue(final KeyBytes key, final long expireAt)
    {
        queued.put(key, expireAt);
        if (membersKnown)
        {
            members.add(key);
        }
    }

    /**
     * Start queueing the partition's keys by a scan of the store that {@link PartitionKeyScan} advances a slice at a
     * time, from the first entry record.
     */
    void startScan()
    {
        scanCursor = 0;
    }

    /**
     * Where the scan of the store goes on, or -1 once it is done (or was never needed).
     */
    int scanCursor()
    {
        return scanCursor;
    }

    void scanCursor(final int cursor)
    {
        scanCursor = cursor;
    }

    boolean isScanning()
    {
        return scanCursor >= 0;
    }

    /**
     * From now on remember every key queued, so the source can drop the partition by those keys instead of scanning
     * its store: every key the partition can hold at the cut-over was queued (present when the move began, or
     * written since). A partition restored from a snapshot does not know them (null from {@link #members()}).
     */
    void trackMembers()
    {
        membersKnown = true;
    }

    /**
     * Every key queued since {@link #trackMembers()}, or null when not known.
     */
    Set<KeyBytes> members()
    {
        return membersKnown ? members : null;
    }

    /**
     * Take batch {@code nextSequence}: acknowledge the batch in hand and move up to {@code maxEntries} keys (at
     * least one, and about {@code maxBytes} of keys and values by {@code sizeOf}) from the queue into it.
     */
    void takeBatch(final long nextSequence, final int maxEntries, final long maxBytes, final SizeOf sizeOf)
    {
        batchKeys.clear();
        batchExpiry.clear();
        sequence = nextSequence;
        long bytes = 0;
        final Iterator<Map.Entry<KeyBytes, Long>> it = queued.entrySet().iterator();
        while (it.hasNext() && batchKeys.size() < maxEntries && (batchKeys.isEmpty() || bytes < maxBytes))
        {
            final Map.Entry<KeyBytes, Long> entry = it.next();
            bytes += sizeOf.bytes(entry.getKey());
            batchKeys.add(entry.getKey());
            batchExpiry.add(entry.getValue());
            it.remove();
        }
    }

    /**
     * Put a snapshot's in-flight key back in the batch in hand.
     */
    void restoreBatchKey(final KeyBytes key, final long expireAt)
    {
        batchKeys.add(key);
        batchExpiry.add(expireAt);
    }

    void sequence(final long sequence)
    {
        this.sequence = sequence;
    }

    /** Sequence of the batch in hand (0 before the first). */
    long sequence()
    {
        return sequence;
    }

    int batchSize()
    {
        return batchKeys.size();
    }

    KeyBytes batchKey(final int i)
    {
        return batchKeys.get(i);
    }

    long batchExpiry(final int i)
    {
        return batchExpiry.get(i);
    }

    int queuedCount()
    {
        return queued.size();
    }

    Map<KeyBytes, Long> queued()
    {
        return queued;
    }

    /**
     * Size of a key and its value, to bound a batch's bytes.
     */
    @FunctionalInterface
    interface SizeOf
    {
        long bytes(KeyBytes key);
    }
}
