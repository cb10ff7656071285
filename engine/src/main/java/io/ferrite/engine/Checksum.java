package io.ferrite.engine;

import org.agrona.DirectBuffer;

/**
 * A 32-bit checksum of a byte range: a multiply-and-rotate mix over 8-byte words, folded to 32 bits. Any single
 * flipped byte changes it; random damage goes undetected with probability about 2^-32. Stored in the files, so it
 * must never change within a layout version.
 */
final class Checksum
{
    private static final long M1 = 0xA0761D6478BD642FL;
    private static final long M2 = 0xE7037ED1A0B428DBL;

    private Checksum()
    {
    }

    static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = length * M1;
        int i = 0;
        final int limit = length - 7;
        for (; i < limit; i += 8)
        {
            h = Long.rotateLeft(h ^ (buffer.getLong(offset + i) * M2), 29) * M1;
        }
        if (i < length)
        {
            long tail = 0;
            for (int shift = 0; i < length; i++, shift += 8)
            {
                tail |= (buffer.getByte(offset + i) & 0xFFL) << shift;
            }
            h = Long.rotateLeft(h ^ (tail * M2), 23) * M1;
        }
        h ^= h >>> 32;
        h *= M2;
        h ^= h >>> 29;
        return (int)h;
    }
}
