package io.ferrite.engine;

import org.agrona.DirectBuffer;

/**
 * The key hash: a 64-bit multiply-and-rotate mix over 8-byte words, finished with a full avalanche and folded
 * to 32 bits. Stable across processes (it is stored in the files), so it must never change within a layout
 * version.
 */
final class Hashing
{
    private static final long M1 = 0x9E3779B97F4A7C15L;
    private static final long M2 = 0xC2B2AE3D27D4EB4FL;

    private Hashing()
    {
    }

    static int hash(final DirectBuffer buffer, final int offset, final int length, final int seed)
    {
        long h = seed ^ (length * M1);
        int i = 0;
        final int limit = length - 7;
        for (; i < limit; i += 8)
        {
            h = Long.rotateLeft(h ^ (buffer.getLong(offset + i) * M2), 31) * M1;
        }
        if (i < length)
        {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 8)
            {
                tail |= (buffer.getByte(offset + i) & 0xFFL) << shift;
            }
            h = Long.rotateLeft(h ^ (tail * M2), 27) * M1;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int)(h ^ (h >>> 32));
    }

    static boolean equal(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        final int limit = length - 7;
        for (; i < limit; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
