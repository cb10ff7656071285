package io.ferrite.bench.engine;

import com.sun.management.ThreadMXBean;
import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;

import static io.ferrite.bench.engine.BenchmarkKeys.DRAW_MASK;
import static io.ferrite.bench.engine.BenchmarkKeys.ENTRIES;
import static io.ferrite.bench.engine.BenchmarkKeys.KEY_LENGTH;
import static io.ferrite.bench.engine.BenchmarkKeys.VALUE_LENGTH;

/**
 * A complement to the JMH run for a shared, loaded machine: the same four single-threaded stores (Ferrite
 * anonymous and persistent, Chronicle Map in memory and persisted, configured as in the JMH benchmarks) are
 * exercised in one JVM in short interleaved slices, round after round, so that every store sees the same
 * competition for the CPU; each slice's wall time and thread CPU time are summed per store. The ratios are then
 * comparable even when the absolute throughput is not. Prints a Markdown table.
 * <p>
 * System properties narrow a run (for profiling or repeats): {@code paired.ops} ({@code get,put}; {@code peek} adds
 * Ferrite's side-effect-free read), {@code paired.keys} ({@code uniform,zipf}), {@code paired.stores} ({@code all},
 * {@code memory} for Ferrite anonymous and Chronicle in memory only, or {@code policies} for Ferrite anonymous with
 * W-TinyLFU against LRU), {@code paired.rounds} (16) and {@code paired.policy} (LRU).
 */
public final class PairedComparison
{
    private static final int ROUNDS = Integer.getInteger("paired.rounds", 16);
    private static final String OPS = System.getProperty("paired.ops", "get,put");
    private static final String KEYS = System.getProperty("paired.keys", "uniform,zipf");
    private static final String STORES = System.getProperty("paired.stores", "all");
    private static final EvictionPolicyType POLICY =
        EvictionPolicyType.valueOf(System.getProperty("paired.policy", "LRU"));
    private static final int SLICE = 250_000;
    private static final int WARMUP_SLICES = 8;

    private PairedComparison()
    {
    }

    /**
     * One store under test; each subclass has its own loops so every loop stays monomorphic.
     */
    abstract static class Target implements AutoCloseable
    {
        final String name;
        long wallNs;
        long cpuNs;
        long allocated;
        long ops;

        Target(final String name)
        {
            this.name = name;
        }

        abstract long get(int[] draws, int from, int count);

        /**
         * A read that changes nothing (Ferrite's {@code peek}: no recency update, no counters); Chronicle's get.
         */
        abstract long peek(int[] draws, int from, int count);

        abstract long put(int[] draws, int from, int count);

        public abstract void close();
    }

    static final class FerriteTarget extends Target
    {
        private final FerriteStore store;
        private final UnsafeBuffer keys;
        private final UnsafeBuffer value = new UnsafeBuffer(BenchmarkKeys.value(7));
        private final UnsafeBuffer dst = BenchmarkKeys.valueDestination();
        private final File dir;

        FerriteTarget(final String name, final byte[] keyBytes, final File dir)
        {
            this(name, keyBytes, dir, POLICY);
        }

        FerriteTarget(final String name, final byte[] keyBytes, final File dir, final EvictionPolicyType policy)
        {
            super(name);
            this.dir = dir;
            keys = new UnsafeBuffer(keyBytes);
            store = FerriteStoreBenchmark.open(new StoreContext()
                .maxEntries(FerriteStoreBenchmark.MAX_ENTRIES)
                .capacityBytes(FerriteStoreBenchmark.CAPACITY_BYTES)
                .policy(policy)
                .dir(dir)
                .deleteOnOpen(true), keys);
        }

        long get(final int[] draws, final int from, final int count)
        {
            long sum = 0;
            for (int i = from, end = from + count; i < end; i++)
            {
                sum += store.get(keys, draws[i & DRAW_MASK] * KEY_LENGTH, KEY_LENGTH, dst, 0);
            }
            return sum;
        }

        long peek(final int[] draws, final int from, final int count)
        {
            long sum = 0;
            for (int i = from, end = from + count; i < end; i++)
            {
                sum += store.peek(keys, draws[i & DRAW_MASK] * KEY_LENGTH, KEY_LENGTH, dst, 0);
            }
            return sum;
        }

        long put(final int[] draws, final int from, final int count)
        {
            long sum = 0;
            for (int i = from, end = from + count; i < end; i++)
            {
                sum += store.put(
                    keys, draws[i & DRAW_MASK] * KEY_LENGTH, KEY_LENGTH, value, 0, VALUE_LENGTH, 0, FerriteStore.PUT);
            }
            return sum;
        }

        public void close()
        {
            System.out.println(name + ": " + store.stats());
            final long evictions = store.stats().evictions();
            store.close();
            if (null != dir)
            {
                IoUtil.delete(dir, true);
            }
            if (0 != evictions)
            {
                throw new IllegalStateException(name + " evicted " + evictions + " entries");
            }
        }
    }

    static final class ChronicleTarget extends Target
    {
        private final ChronicleMap<byte[], byte[]> map;
        private final byte[][] keys;
        private final byte[] value = BenchmarkKeys.value(7);
        private final byte[] dst = new byte[VALUE_LENGTH];
        private final File file;

        ChronicleTarget(final String name, final byte[] keyBytes, final File file) throws IOException
        {
            super(name);
            this.file = file;
            keys = new byte[ENTRIES][];
            for (int i = 0; i < ENTRIES; i++)
            {
                keys[i] = BenchmarkKeys.key(keyBytes, i);
            }
            if (null != file)
            {
                Files.deleteIfExists(file.toPath());
            }
            map = ChronicleMapBenchmark.create(file);
            for (int i = 0; i < ENTRIES; i++)
            {
                ChronicleMapBenchmark.put(map, keys[i], value);
            }
        }

        long get(final int[] draws, final int from, final int count)
        {
            long sum = 0;
            for (int i = from, end = from + count; i < end; i++)
            {
                sum += map.getUsing(keys[draws[i & DRAW_MASK]], dst).length;
            }
            return sum;
        }

        long peek(final int[] draws, final int from, final int count)
        {
            return get(draws, from, count);
        }

        long put(final int[] draws, final int from, final int count)
        {
            long sum = 0;
            for (int i = from, end = from + count; i < end; i++)
            {
                sum += ChronicleMapBenchmark.put(map, keys[draws[i & DRAW_MASK]], value) ? 1 : 0;
            }
            return sum;
        }

        public void close()
        {
            map.close();
            if (null != file)
            {
                IoUtil.delete(file, true);
            }
        }
    }

    public static void main(final String[] args) throws IOException
    {
        final byte[] keyBytes = BenchmarkKeys.keyBytes();
        final long pid = ProcessHandle.current().pid();
        final Target[] targets = "policies".equals(STORES) ? new Target[]{
            new FerriteTarget("Ferrite anon WINDOW_TINY_LFU", keyBytes, null, EvictionPolicyType.WINDOW_TINY_LFU),
            new FerriteTarget("Ferrite anon LRU", keyBytes, null, EvictionPolicyType.LRU)
        } : "all".equals(STORES) ? new Target[]{
            new FerriteTarget("Ferrite anon", keyBytes, null),
            new ChronicleTarget("Chronicle in-memory", keyBytes, null),
            new FerriteTarget("Ferrite persistent", keyBytes, new File("/dev/shm/ferrite-paired-" + pid)),
            new ChronicleTarget("Chronicle persisted", keyBytes, new File("/dev/shm/chronicle-paired-" + pid + ".dat"))
        } : new Target[]{
            new FerriteTarget("Ferrite anon", keyBytes, null),
            new ChronicleTarget("Chronicle in-memory", keyBytes, null)
        };
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        System.out.println("Ferrite policy " + POLICY + ".");
        System.out.println("Interleaved slices of " + SLICE + " ops, " + ROUNDS + " rounds per store (after " +
            WARMUP_SLICES + " warm-up slices each), 1 thread. Wall = elapsed time, CPU = thread CPU time, " +
            "B/op = bytes allocated by the measuring thread (ThreadMXBean) per op.");
        System.out.println();
        System.out.println("Ratios are against the second store of each pair (Chronicle Map, or LRU for " +
            "paired.stores=policies). peek = Ferrite's read without policy or counter updates (Chronicle: get).");
        System.out.println();
        System.out.println("| op | keys | store | M ops/s (wall) | M ops per CPU-s | wall ratio vs pair | " +
            "CPU ratio vs pair | B/op |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        long blackhole = 0;
        try
        {
            for (final Distribution distribution : Distribution.values())
            {
                if (!KEYS.contains(distribution.name().toLowerCase()))
                {
                    continue;
                }
                final int[] draws = BenchmarkKeys.draws(distribution);
                for (final String op : new String[]{ "get", "peek", "put" })
                {
                    if (!OPS.contains(op))
                    {
                        continue;
                    }
                    int cursor = 0;
                    for (int w = 0; w < WARMUP_SLICES; w++)
                    {
                        for (final Target target : targets)
                        {
                            blackhole += run(target, op, draws, cursor);
                        }
                        cursor += SLICE;
                    }
                    for (final Target target : targets)
                    {
                        target.wallNs = 0;
                        target.cpuNs = 0;
                        target.allocated = 0;
                        target.ops = 0;
                    }
                    for (int round = 0; round < ROUNDS; round++)
                    {
                        for (int t = 0; t < targets.length; t++)
                        {
                            final Target target = targets[(t + round) % targets.length];
                            final long allocated0 = threads.getCurrentThreadAllocatedBytes();
                            final long cpu0 = threads.getCurrentThreadCpuTime();
                            final long wall0 = System.nanoTime();
                            blackhole += run(target, op, draws, cursor);
                            target.wallNs += System.nanoTime() - wall0;
                            target.cpuNs += threads.getCurrentThreadCpuTime() - cpu0;
                            target.allocated += threads.getCurrentThreadAllocatedBytes() - allocated0;
                            target.ops += SLICE;
                        }
                        cursor += SLICE;
                    }
                    for (int t = 0; t < targets.length; t++)
                    {
                        final Target target = targets[t];
                        final Target chronicle = targets[t | 1];
                        System.out.printf("| %s | %s | %s | %.2f | %.2f | %.2fx | %.2fx | %.3f |%n", op,
                            distribution.name().toLowerCase(), target.name, rate(target.ops, target.wallNs),
                            rate(target.ops, target.cpuNs),
                            rate(target.ops, target.wallNs) / rate(chronicle.ops, chronicle.wallNs),
                            rate(target.ops, target.cpuNs) / rate(chronicle.ops, chronicle.cpuNs),
                            target.allocated / (double)target.ops);
                    }
                }
            }
        }
        finally
        {
            for (final Target target : targets)
            {
                target.close();
            }
        }
        System.out.println();
        System.out.println("(checksum " + blackhole + ")");
    }

    private static long run(final Target target, final String op, final int[] draws, final int from)
    {
        switch (op)
        {
            case "get":
                return target.get(draws, from, SLICE);
            case "peek":
                return target.peek(draws, from, SLICE);
            default:
                return target.put(draws, from, SLICE);
        }
    }

    private static double rate(final long ops, final long ns)
    {
        return ops * 1000.0 / ns;
    }
}
