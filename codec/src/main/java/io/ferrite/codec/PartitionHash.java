package io.ferrite.codec;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The one function that maps a key to its partition, shared by clients and servers: MurmurHash3 (x86, 32-bit,
 * seed 0) of the key's bytes, then the unsigned remainder by the cluster's partition count.
 * <pre>
 *   partition(key) = Integer.remainderUnsigned(murmur3_x86_32(key bytes, seed 0), partitionCount)
 * </pre>
 * The function is part of the wire contract: a client and a server that disagree would send keys to the wrong
 * group (the server would refuse them, so nothing is lost, but every request would be redirected). Test vectors
 * pin it ({@code PartitionHashTest}); it must never change. Allocation-free.
 * <p>
 * <b>Note:</b> stateless and thread-safe.
 */
public final class PartitionHash
{
    /** Partitions of a cluster created without saying how many (Hazelcast's choice: a prime near 256). */
    public static final int DEFAULT_PARTITION_COUNT = 271;
    /** Most partitions a cluster may have. */
    public static final int MAX_PARTITION_COUNT = 65_535;

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private PartitionHash()
    {
    }

    /**
     * The partition of {@code length} key bytes at {@code offset} of {@code key}.
     */
    public static int partition(final DirectBuffer key, final int offset, final int length, final int partitionCount)
    {
        return Integer.remainderUnsigned(hash(key, offset, length), partitionCount);
    }

    /**
     * The partition of a whole byte-array key.
     */
    public static int partition(final byte[] key, final int partitionCount)
    {
        return Integer.remainderUnsigned(hash(key, 0, key.length), partitionCount);
    }

    /**
     * MurmurHash3 x86 32-bit, seed 0, of {@code length} bytes at {@code offset} of {@code key}.
     */
    public static int hash(final DirectBuffer key, final int offset, final int length)
    {
        int h = 0;
        final int blocks = length & ~3;
        for (int i = 0; i < blocks; i += 4)
        {
            // one little-endian read is the four bytes assembled low to high, as the algorithm defines a block
            h = mixH(h, mixK(key.getInt(offset + i, ByteOrder.LITTLE_ENDIAN)));
        }
        final int tail = length & 3;
        if (tail > 0)
        {
            int k = key.getByte(offset + blocks) & 0xff;
            if (tail > 1)
            {
                k ^= (key.getByte(offset + blocks + 1) & 0xff) << 8;
            }
            if (tail > 2)
            {
                k ^= (key.getByte(offset + blocks + 2) & 0xff) << 16;
            }
            h ^= mixK(k);
        }
        return finish(h, length);
    }

    /**
     * MurmurHash3 x86 32-bit, seed 0, of {@code length} bytes at {@code offset} of {@code key}.
     */
    public static int hash(final byte[] key, final int offset, final int length)
    {
        int h = 0;
        final int blocks = length & ~3;
        for (int i = 0; i < blocks; i += 4)
        {
            final int k = (key[offset + i] & 0xff) | (key[offset + i + 1] & 0xff) << 8 |
                (key[offset + i + 2] & 0xff) << 16 | (key[offset + i + 3] & 0xff) << 24;
            h = mixH(h, mixK(k));
        }
        final int tail = length & 3;
        if (tail > 0)
        {
            int k = key[offset + blocks] & 0xff;
            if (tail > 1)
            {
                k ^= (key[offset + blocks + 1] & 0xff) << 8;
            }
            if (tail > 2)
            {
                k ^= (key[offset + blocks + 2] & 0xff) << 16;
            }
            h ^= mixK(k);
        }
        return finish(h, length);
    }

    /**
     * Check a partition count chosen at cluster creation.
     *
     * @throws IllegalArgumentException if it is outside [1, {@link #MAX_PARTITION_COUNT}].
     */
    public static int checkPartitionCount(final int partitionCount)
    {
        if (partitionCount < 1 || partitionCount > MAX_PARTITION_COUNT)
        {
            throw new IllegalArgumentException(
                "partition count must be in [1, " + MAX_PARTITION_COUNT + "]: " + partitionCount);
        }
        return partitionCount;
    }

    private static int mixK(final int k)
    {
        return Integer.rotateLeft(k * C1, 15) * C2;
    }

    private static int mixH(final int h, final int k)
    {
        return Integer.rotateLeft(h ^ k, 13) * 5 + 0xe6546b64;
    }

    private static int finish(final int hash, final int length)
    {
        int h = hash ^ length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
