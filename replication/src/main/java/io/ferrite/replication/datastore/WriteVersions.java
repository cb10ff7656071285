package io.ferrite.replication.datastore;

import org.agrona.collections.Object2LongHashMap;

/**
 * Replicated record of the log position of the last write of each recently written key, so a read-through load
 * result is applied only if its key was not written after the load began (a late load never overwrites a newer
 * write).
 * <p>
 * Bounded and deterministic: when it would track more than {@code maxTracked} keys, or when a snapshot is taken or
 * loaded, it forgets everything and remembers only the position it forgot at; a load that began before that
 * position is treated as overtaken (its result answers the waiting callers but is not cached). Every member does
 * the same at the same log positions, so all agree on which loads apply.
 * <b>Note:</b> not thread-safe; service thread only.
 */
final class WriteVersions
{
    private final Object2LongHashMap<ByteKey> lastWrite = new Object2LongHashMap<>(-1L);
    private final int maxTracked;
    private long since;

    WriteVersions(final int maxTracked)
    {
        this.maxTracked = maxTracked;
    }

    void recordWrite(final byte[] key, final long position)
    {
        if (lastWrite.size() >= maxTracked)
        {
            reset(position);
        }
        lastWrite.put(new ByteKey(key), position);
    }

    /**
     * @return whether {@code key} may have been written after log position {@code position}.
     */
    boolean writtenAfter(final byte[] key, final long position)
    {
        return position < since || lastWrite.getValue(new ByteKey(key)) > position;
    }

    /**
     * Forget every key; loads that began before {@code position} count as overtaken.
     */
    void reset(final long position)
    {
        lastWrite.clear();
        since = position;
    }

    int size()
    {
        return lastWrite.size();
    }
}
