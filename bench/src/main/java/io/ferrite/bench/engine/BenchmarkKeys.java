package io.ferrite.bench.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The key set shared by the engine benchmarks: {@link #ENTRIES} distinct {@link #KEY_LENGTH}-byte keys and
 * {@link #VALUE_LENGTH}-byte values, plus precomputed sequences of key numbers drawn uniformly or by Zipf, so
 * that a benchmark operation only reads the next number and does no random generation of its own.
 */
final class BenchmarkKeys
{
    static final int ENTRIES = 1_000_000;
    static final int KEY_LENGTH = 16;
    static final int VALUE_LENGTH = 100;
    static final double ZIPF_EXPONENT = 0.99;
    static final int DRAWS = 1 << 22;
    static final int DRAW_MASK = DRAWS - 1;
    static final long SEED = 0xFE22_17EL;
    static final int CACHE_LINE = 64;

    private BenchmarkKeys()
    {
    }

    /**
     * All keys back to back: key {@code i} is the {@link #KEY_LENGTH} bytes at {@code i * KEY_LENGTH}; the
     * first 8 bytes are a mix of {@code i} and the last 8 are {@code i}, so every key is distinct.
     */
    static byte[] keyBytes()
    {
        final byte[] keys = new byte[ENTRIES * KEY_LENGTH];
        for (int i = 0; i < ENTRIES; i++)
        {
            putLong(keys, i * KEY_LENGTH, mix(i));
            putLong(keys, i * KEY_LENGTH + 8, i);
        }
        return keys;
    }

    /**
     * Key {@code i} as its own array.
     */
    static byte[] key(final byte[] keyBytes, final int i)
    {
        return Arrays.copyOfRange(keyBytes, i * KEY_LENGTH, (i + 1) * KEY_LENGTH);
    }

    /**
     * A value whose bytes depend on {@code seed}.
     */
    static byte[] value(final int seed)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        for (int i = 0; i < VALUE_LENGTH; i++)
        {
            value[i] = (byte)(seed + i);
        }
        return value;
    }

    /**
     * A {@link #VALUE_LENGTH}-byte destination for gets with a cache line of unused bytes after it.
     * <p>
     * The JVM's copy stub writes the tail of a 100-byte copy with a masked AVX-512 store, and a later load from the
     * same 64-byte line waits until that store has its data: one get's cache miss away. Allocated bare, the array
     * shares its last line with whatever the benchmark allocates next; in {@code PairedComparison} that was the
     * keys buffer, read by every get, so each get waited for the previous one's miss and the uniform gets ran at
     * 1.5-1.7 M/s instead of 2.9-3.3 M/s (same store, same code, measured 2026-12-01; {@code -XX:UseAVX=2} also
     * removed the difference). Ferrite's gets are measured without that accident of placement; see
     * perf-results/engine/quiet-2/README.md.
     */
    static UnsafeBuffer valueDestination()
    {
        return new UnsafeBuffer(new byte[VALUE_LENGTH + CACHE_LINE], 0, VALUE_LENGTH);
    }

    /**
     * {@link #DRAWS} key numbers in [0, ENTRIES) drawn from {@code distribution} with a fixed seed.
     */
    static int[] draws(final Distribution distribution)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final int[] draws = new int[DRAWS];
        if (Distribution.UNIFORM == distribution)
        {
            for (int i = 0; i < DRAWS; i++)
            {
                draws[i] = random.nextInt(ENTRIES);
            }
            return draws;
        }

        final double[] cdf = new double[ENTRIES];
        double sum = 0;
        for (int rank = 0; rank < ENTRIES; rank++)
        {
            sum += 1.0 / Math.pow(rank + 1, ZIPF_EXPONENT);
            cdf[rank] = sum;
        }
        final int[] keyOfRank = permutation(random);
        for (int i = 0; i < DRAWS; i++)
        {
            int rank = Arrays.binarySearch(cdf, random.nextDouble() * sum);
            if (rank < 0)
            {
                rank = -rank - 1;
            }
            draws[i] = keyOfRank[Math.min(rank, ENTRIES - 1)];
        }
        return draws;
    }

    /**
     * Share of draws that hit the {@code top} most frequent keys: a check that the Zipf sequence is skewed.
     */
    static double topShare(final int[] draws, final int top)
    {
        final int[] counts = new int[ENTRIES];
        for (final int draw : draws)
        {
            counts[draw]++;
        }
        Arrays.sort(counts);
        long hits = 0;
        for (int i = ENTRIES - top; i < ENTRIES; i++)
        {
            hits += counts[i];
        }
        return hits / (double)draws.length;
    }

    private static int[] permutation(final SplittableRandom random)
    {
        final int[] keys = new int[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = i;
        }
        for (int i = ENTRIES - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = keys[i];
            keys[i] = keys[j];
            keys[j] = swap;
        }
        return keys;
    }

    private static long mix(final long i)
    {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void putLong(final byte[] array, final int offset, final long value)
    {
        for (int i = 0; i < 8; i++)
        {
            array[offset + i] = (byte)(value >>> (i * 8));
        }
    }
}
