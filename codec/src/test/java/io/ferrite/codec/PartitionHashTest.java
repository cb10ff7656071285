package io.ferrite.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the key-to-partition function: these vectors are part of the wire contract and must never change. The
 * hash values are MurmurHash3 x86_32 with seed 0 as published (and as Guava's {@code murmur3_32_fixed} computes
 * them: "hello" is 0x248bfa47, the quick brown fox 0x2e4ff723).
 */
@Timeout(10)
class PartitionHashTest
{
    private static final Object[][] VECTORS = {
        // key, murmur3 x86_32 seed 0, partition of 271, partition of 4096
        { "", 0x00000000, 0, 0 },
        { "a", 0x3c2569b2, 90, 2482 },
        { "ab", 0x9bbfd75f, 184, 1887 },
        { "abc", 0xb3dd93fa, 8, 1018 },
        { "abcd", 0x43ed676a, 14, 1898 },
        { "hello", 0x248bfa47, 133, 2631 },
        { "user:42", 0xc7a6a375, 247, 885 },
        { "The quick brown fox jumps over the lazy dog", 0x2e4ff723, 46, 1827 },
        { "key-0", 0xe337f8bf, 166, 2239 },
        { "key-1", 0x98b115a0, 107, 1440 },
        { "key-12345", 0x37f9ccdc, 79, 3292 },
    };

    @Test
    void shouldMatchPinnedVectors()
    {
        for (final Object[] vector : VECTORS)
        {
            final byte[] key = ((String)vector[0]).getBytes(StandardCharsets.UTF_8);
            assertEquals((int)vector[1], PartitionHash.hash(key, 0, key.length), "hash of \"" + vector[0] + "\"");
            assertEquals((int)vector[2], PartitionHash.partition(key, 271), "partition of 271 for " + vector[0]);
            assertEquals((int)vector[3], PartitionHash.partition(key, 4096), "partition of 4096 for " + vector[0]);
        }
    }

    @Test
    void shouldHashBufferAndArrayAlikeAtAnyOffset()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        for (int i = 0; i < 5_000; i++)
        {
            final byte[] key = new byte[random.nextInt(64)];
            random.nextBytes(key);
            final int pad = random.nextInt(8);
            final byte[] padded = new byte[pad + key.length];
            System.arraycopy(key, 0, padded, pad, key.length);
            final int expected = PartitionHash.hash(key, 0, key.length);
            assertEquals(expected, PartitionHash.hash(padded, pad, key.length), "array at offset, seed " + seed);
            assertEquals(expected, PartitionHash.hash(new UnsafeBuffer(padded), pad, key.length),
                "buffer at offset, seed " + seed);
        }
    }

    @Test
    void shouldSpreadKeysEvenlyOverPartitions()
    {
        final int partitions = PartitionHash.DEFAULT_PARTITION_COUNT;
        final int[] counts = new int[partitions];
        final int keys = 271_000;
        for (int i = 0; i < keys; i++)
        {
            counts[PartitionHash.partition(("key-" + i).getBytes(StandardCharsets.UTF_8), partitions)]++;
        }
        for (int p = 0; p < partitions; p++)
        {
            assertTrue(counts[p] > 800 && counts[p] < 1200, "partition " + p + " got " + counts[p] + " of 1000");
        }
    }

    @Test
    void shouldRejectImpossiblePartitionCounts()
    {
        assertThrows(IllegalArgumentException.class, () -> PartitionHash.checkPartitionCount(0));
        assertThrows(IllegalArgumentException.class, () -> PartitionHash.checkPartitionCount(70_000));
        assertEquals(4096, PartitionHash.checkPartitionCount(4096));
    }
}
