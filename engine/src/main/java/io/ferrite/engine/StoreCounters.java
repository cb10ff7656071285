package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.StoreDescriptor.*;

/**
 * The store's counters, kept in the header page of the meta file so they survive a clean restart and travel with
 * the image. Counter ids are the offsets named {@code *_COUNTER} in {@link StoreDescriptor}.
 * <b>Note:</b> not thread-safe; plain stores by the store's single writer.
 */
final class StoreCounters
{
    private final UnsafeBuffer header;

    StoreCounters(final UnsafeBuffer header)
    {
        this.header = header;
    }

    long get(final int counter)
    {
        return header.getLong(counter);
    }

    void set(final int counter, final long value)
    {
        header.putLong(counter, value);
    }

    void increment(final int counter)
    {
        header.putLong(counter, header.getLong(counter) + 1);
    }

    void add(final int counter, final long delta)
    {
        header.putLong(counter, header.getLong(counter) + delta);
    }

    /**
     * A copy of every counter (allocates; not for the request path).
     */
    StoreStats stats()
    {
        return new StoreStats(
            get(SIZE_COUNTER),
            get(LIVE_BYTES_COUNTER),
            get(HITS_COUNTER),
            get(MISSES_COUNTER),
            get(PUTS_COUNTER),
            get(DELETES_COUNTER),
            get(EVICTIONS_COUNTER),
            get(EXPIRATIONS_COUNTER),
            get(CLEANED_SEGMENTS_COUNTER),
            get(RELOCATED_BYTES_COUNTER),
            get(REJECTED_COUNTER));
    }
}
