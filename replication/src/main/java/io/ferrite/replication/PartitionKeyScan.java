package io.ferrite.replication;

import io.ferrite.codec.PartitionHash;
import io.ferrite.engine.FerriteStore;

/**
 * Queues the keys of a partition being moved by scanning the source's store a slice of entry records at a time,
 * so that starting a move does not stop the group for a whole-store scan (250k entries: 33 ms measured alone with a
 * warm JIT, 45-56 ms cold, more on a member sharing its cores; a slice of 16,384 records: 1.2-1.7 ms).
 * <p>
 * The scan runs on the service thread as the move's steps arrive through the log (the start, each drain, the
 * freeze, a snapshot), so every member queues the same keys in the same order. A key the scan has not reached yet
 * and that is written or deleted in the meantime is queued by the write itself ({@link MovingPartition#queue}), so
 * the scan and the writes together queue every key the partition holds at the freeze, which finishes the scan.
 * <b>Note:</b> not thread-safe; service thread.
 */
final class PartitionKeyScan
{
    /** Entry records examined at most per step: a few milliseconds of the service thread. */
    static final int SLICE_RECORDS = 16_384;

    private PartitionKeyScan()
    {
    }

    /**
     * Scan on until {@code wanted} keys are queued, {@code sliceRecords} records were examined, or the store is done.
     */
    static void advance(
        final FerriteStore store, final int partitions, final int p, final MovingPartition moving, final int wanted,
        final int sliceRecords)
    {
        int examined = 0;
        while (moving.isScanning() && examined < sliceRecords && moving.queuedCount() < wanted)
        {
            final int step = Math.min(sliceRecords - examined, 1024);
            moving.scanCursor(store.forEach(moving.scanCursor(), step,
                (buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
                {
                    if (PartitionHash.partition(buffer, keyOffset, keyLength, partitions) == p)
                    {
                        moving.queue(KeyBytes.copyOf(buffer, keyOffset, keyLength), expireAt);
                    }
                }));
            examined += step;
        }
    }

    /**
     * Scan the rest of the store.
     */
    static void finish(final FerriteStore store, final int partitions, final int p, final MovingPartition moving)
    {
        advance(store, partitions, p, moving, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Keys queued plus the records the scan has still to examine: what the copier still has to move, at most.
     */
    static long remaining(final FerriteStore store, final MovingPartition moving)
    {
        return moving.queuedCount() + (moving.isScanning() ? store.recordsAfter(moving.scanCursor()) : 0);
    }
}
