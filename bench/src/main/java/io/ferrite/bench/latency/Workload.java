package io.ferrite.bench.latency;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The request sequence every target sees: keys drawn uniformly from {@code keyCount} keys, GET with probability
 * {@code getRatio}, one value of {@code valueSize} random bytes. Pre-generated from a fixed seed, so all targets
 * get exactly the same sequence. Immutable after construction.
 */
final class Workload
{
    private static final int SEQUENCE_LENGTH = 1 << 20;

    private final byte[][] keys;
    private final byte[] value;
    private final byte[] ops = new byte[SEQUENCE_LENGTH];
    private final int[] keyIndexes = new int[SEQUENCE_LENGTH];
    private final double getRatio;

    Workload(final String keyPrefix, final int keyCount, final int valueSize, final double getRatio, final long seed)
    {
        this.getRatio = getRatio;
        keys = new byte[keyCount][];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = (keyPrefix + i).getBytes(StandardCharsets.US_ASCII);
        }
        final SplittableRandom random = new SplittableRandom(seed);
        value = new byte[valueSize];
        for (int i = 0; i < valueSize; i++)
        {
            value[i] = (byte)('a' + random.nextInt(26));
        }
        for (int i = 0; i < SEQUENCE_LENGTH; i++)
        {
            ops[i] = random.nextDouble() < getRatio ? (byte)LoadTarget.GET : (byte)LoadTarget.PUT;
            keyIndexes[i] = random.nextInt(keyCount);
        }
    }

    int keyCount()
    {
        return keys.length;
    }

    byte[] key(final int index)
    {
        return keys[index];
    }

    byte[] value()
    {
        return value;
    }

    double getRatio()
    {
        return getRatio;
    }

    /**
     * Operation of the {@code i}-th request.
     */
    int op(final long i)
    {
        return ops[(int)(i & (SEQUENCE_LENGTH - 1))];
    }

    /**
     * Key index of the {@code i}-th request.
     */
    int keyIndex(final long i)
    {
        return keyIndexes[(int)(i & (SEQUENCE_LENGTH - 1))];
    }
}
