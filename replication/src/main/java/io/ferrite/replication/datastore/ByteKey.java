package io.ferrite.replication.datastore;

import java.util.Arrays;

/**
 * A byte[] with value equality, for on-heap maps keyed by cache keys.
 *
 * @param bytes the key (not copied: callers must not change it afterwards).
 */
record ByteKey(byte[] bytes)
{
    public boolean equals(final Object o)
    {
        return o instanceof ByteKey && Arrays.equals(bytes, ((ByteKey)o).bytes);
    }

    public int hashCode()
    {
        return Arrays.hashCode(bytes);
    }

    public String toString()
    {
        return "ByteKey" + Arrays.toString(bytes);
    }
}
