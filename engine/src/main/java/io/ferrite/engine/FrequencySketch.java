package io.ferrite.engine;

/**
 * A 4-bit count-min sketch in mapped memory that estimates how often a key hash was seen recently (TinyLFU).
 * <p>
 * The table is a power-of-two number of longs, each holding sixteen 4-bit counters, grouped in blocks of eight
 * longs (one 64-byte cache line). A hash picks one block and, within it, one counter in each of four different
 * longs; an increment raises the four counters (saturating at 15) and the estimate is their minimum. After
 * {@code sampleSize} increments every counter is halved, so the sketch forgets old popularity and tracks a
 * sliding history of about ten times the cache's size. The hash mixing uses fixed constants: the same
 * increments give the same table on every replica and after a restart (the table and the increment count live
 * in the mapping). Halving walks the whole table (8 bytes per entry of capacity): amortised that is under one
 * long per increment, but the one request that triggers it pays a few milliseconds per million entries.
 * <p>
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class FrequencySketch
{
    private static final long ONE_MASK = 0x1111_1111_1111_1111L;
    private static final long RESET_MASK = 0x7777_7777_7777_7777L;
    private static final int MAX_COUNT = 15;

    private final MappedMemory memory;
    private final long table;
    private final long additionsAddress;
    private final int blockMask;
    private final long tableLongs;
    private final long sampleSize;

    /**
     * @param table            address of the first long of the table (8-byte aligned).
     * @param tableLongs       length of the table in longs, a power of two and at least 8.
     * @param additionsAddress address of the long that counts increments since the last halving.
     * @param sampleSize       increments between two halvings.
     */
    FrequencySketch(
        final MappedMemory memory,
        final long table,
        final long tableLongs,
        final long additionsAddress,
        final long sampleSize)
    {
        this.memory = memory;
        this.table = table;
        this.tableLongs = tableLongs;
        this.additionsAddress = additionsAddress;
        this.blockMask = (int)((tableLongs >>> 3) - 1);
        this.sampleSize = sampleSize;
    }

    /**
     * Zero every counter and the increment count.
     */
    void clear()
    {
        for (long i = 0; i < tableLongs; i++)
        {
            memory.putLong(table + 8 * i, 0);
        }
        memory.putLong(additionsAddress, 0);
    }

    /**
     * The estimated number of recent occurrences of {@code hash}, in [0, 15].
     */
    int frequency(final int hash)
    {
        final int blockHash = spread(hash);
        final int counterHash = rehash(blockHash);
        final long block = table + 8L * ((long)(blockHash & blockMask) << 3);
        int frequency = MAX_COUNT;
        for (int i = 0; i < 4; i++)
        {
            final int h = counterHash >>> (i << 3);
            final int shift = ((h >>> 1) & 15) << 2;
            final long word = memory.getLong(block + 8L * ((h & 1) + (i << 1)));
            frequency = Math.min(frequency, (int)((word >>> shift) & 0xF));
        }
        return frequency;
    }

    /**
     * Load the cache line that {@link #increment} and {@link #frequency} of {@code hash} use, changing nothing.
     *
     * @return a word of that line, for the caller to fold into a sink so the load is kept.
     */
    long touch(final int hash)
    {
        return memory.getLong(table + 8L * ((long)(spread(hash) & blockMask) << 3));
    }

    /**
     * Count one occurrence of {@code hash}; halves the whole table when the sample is complete.
     */
    void increment(final int hash)
    {
        final int blockHash = spread(hash);
        final int counterHash = rehash(blockHash);
        final long block = table + 8L * ((long)(blockHash & blockMask) << 3);
        boolean added = false;
        for (int i = 0; i < 4; i++)
        {
            final int h = counterHash >>> (i << 3);
            final int shift = ((h >>> 1) & 15) << 2;
            final long address = block + 8L * ((h & 1) + (i << 1));
            final long word = memory.getLong(address);
            if (((word >>> shift) & 0xF) < MAX_COUNT)
            {
                memory.putLong(address, word + (1L << shift));
                added = true;
            }
        }
        if (added)
        {
            final long additions = memory.getLong(additionsAddress) + 1;
            if (additions >= sampleSize)
            {
                halve(additions);
            }
            else
            {
                memory.putLong(additionsAddress, additions);
            }
        }
    }

    private void halve(final long additions)
    {
        long odd = 0;
        for (long i = 0; i < tableLongs; i++)
        {
            final long address = table + 8 * i;
            final long word = memory.getLong(address);
            odd += Long.bitCount(word & ONE_MASK);
            memory.putLong(address, (word >>> 1) & RESET_MASK);
        }
        memory.putLong(additionsAddress, Math.max(0, (additions - (odd >>> 2)) >>> 1));
    }

    private static int spread(final int hash)
    {
        int x = hash;
        x ^= x >>> 16;
        x *= 0x7FEB_352D;
        x ^= x >>> 15;
        x *= 0x846C_A68B;
        x ^= x >>> 16;
        return x;
    }

    private static int rehash(final int hash)
    {
        int x = hash * 0x2C1B_3C6D;
        x ^= x >>> 12;
        x *= 0x297A_2D39;
        x ^= x >>> 15;
        return x;
    }
}
