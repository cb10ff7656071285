package io.ferrite.bench.engine;

import java.util.Arrays;

/**
 * An immutable byte-array key for on-heap maps, hashing its bytes once at construction (as {@link String} caches
 * its hash).
 */
final class ByteKey
{
    private final byte[] bytes;
    private final int hash;

    ByteKey(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public int hashCode()
    {
        return hash;
    }

    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        return o instanceof ByteKey && hash == ((ByteKey)o).hash && Arrays.equals(bytes, ((ByteKey)o).bytes);
    }
}
