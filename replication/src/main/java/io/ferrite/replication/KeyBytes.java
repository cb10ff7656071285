package io.ferrite.replication;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * A key copied out of a buffer, with value equality, for the on-heap sets that track a moving partition's keys.
 * <b>Note:</b> immutable.
 */
final class KeyBytes
{
    private final byte[] bytes;
    private final int hash;

    KeyBytes(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    static KeyBytes copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new KeyBytes(bytes);
    }

    byte[] bytes()
    {
        return bytes;
    }

    int length()
    {
        return bytes.length;
    }

    public boolean equals(final Object other)
    {
        return other instanceof KeyBytes && Arrays.equals(bytes, ((KeyBytes)other).bytes);
    }

    public int hashCode()
    {
        return hash;
    }
}
