package io.ferrite.bench.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One side of the GC benchmark: N entries (16-byte keys, 100-byte values) held by a Ferrite store, a
 * ConcurrentHashMap or a Caffeine cache, then 90% gets / 10% puts at a fixed rate for a fixed time on one thread,
 * under the JVM's default G1 settings. Run each store in its own JVM with {@code -Xlog:gc:file=...}; every pause is
 * in that log and {@link GcReport} summarises and plots them. As in a server decoding requests, each operation on an
 * on-heap map builds its key object from the request's bytes and a put stores a new value array; Ferrite reads the
 * key in place and copies the value into its mapped memory.
 * <p>
 * {@code java -Xlog:gc:file=ferrite.log -cp ferrite-benchmarks.jar io.ferrite.bench.engine.GcBenchmark ferrite
 * 5000000 60 200000}
 */
public final class GcBenchmark
{
    private static final int KEY_LENGTH = 16;
    private static final int VALUE_LENGTH = 100;

    private GcBenchmark()
    {
    }

    /**
     * A store under load.
     */
    interface Target
    {
        void put(int key, byte[] keys, byte[] value);

        int get(int key, byte[] keys);
    }

    public static void main(final String[] args)
    {
        final String impl = args[0];
        final int entries = Integer.parseInt(args[1]);
        final int seconds = Integer.parseInt(args[2]);
        final int rate = Integer.parseInt(args[3]);
        final byte[] keys = new byte[entries * KEY_LENGTH];
        for (int i = 0; i < entries; i++)
        {
            putLong(keys, i * KEY_LENGTH, i * 0x9E3779B97F4A7C15L);
            putLong(keys, i * KEY_LENGTH + 8, i);
        }
        final Target target = create(impl, entries, keys);
        final byte[] value = new byte[VALUE_LENGTH];
        final long fillStart = System.nanoTime();
        for (int i = 0; i < entries; i++)
        {
            value[0] = (byte)i;
            target.put(i, keys, value);
        }
        System.out.printf("GCBENCH %s filled %d entries in %.1f s%n", impl, entries,
            (System.nanoTime() - fillStart) / 1e9);
        final double loadStartS = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;

        final SplittableRandom random = new SplittableRandom(42);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long next = start;
        long ops = 0;
        long hits = 0;
        long maxLateNs = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= end)
            {
                break;
            }
            if (now < next)
            {
                if (next - now > 20_000)
                {
                    LockSupport.parkNanos(next - now - 10_000);
                }
                continue;
            }
            maxLateNs = Math.max(maxLateNs, now - next);
            final int key = random.nextInt(entries);
            if (random.nextInt(10) == 0)
            {
                value[0] = (byte)ops;
                target.put(key, keys, value);
            }
            else
            {
                hits += target.get(key, keys) > 0 ? 1 : 0;
            }
            ops++;
            next += intervalNs;
        }
        final double loadEndS = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        System.out.printf("GCWINDOW %s %.3f %.3f%n", impl, loadStartS, loadEndS);
        final Runtime runtime = Runtime.getRuntime();
        System.out.printf("GCBENCH %s done: %d ops in %d s (%d/s asked), %d hits, worst lateness %.2f ms, heap used " +
            "%d MB of %d MB (max %d MB)%n", impl, ops, seconds, rate, hits, maxLateNs / 1e6,
            (runtime.totalMemory() - runtime.freeMemory()) >> 20, runtime.totalMemory() >> 20,
            runtime.maxMemory() >> 20);
    }

    private static Target create(final String impl, final int entries, final byte[] keys)
    {
        switch (impl)
        {
            case "ferrite":
                return new FerriteTarget(entries, keys);
            case "chm":
                return new MapTarget(new ConcurrentHashMap<>(entries * 2), entries, keys);
            case "caffeine":
                return new CaffeineTarget(entries, keys);
            default:
                throw new IllegalArgumentException("unknown store " + impl + " (ferrite, chm, caffeine)");
        }
    }

    static final class FerriteTarget implements Target
    {
        private final FerriteStore store;
        private final UnsafeBuffer keyBuffer;
        private final UnsafeBuffer valueBuffer = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        private final UnsafeBuffer dst = BenchmarkKeys.valueDestination();

        FerriteTarget(final int entries, final byte[] keys)
        {
            keyBuffer = new UnsafeBuffer(keys);
            store = FerriteStore.open(new StoreContext().maxEntries(entries + entries / 10)
                .capacityBytes(entries * 200L).policy(EvictionPolicyType.WINDOW_TINY_LFU));
        }

        public void put(final int key, final byte[] keys, final byte[] value)
        {
            valueBuffer.wrap(value);
            store.put(keyBuffer, key * KEY_LENGTH, KEY_LENGTH, valueBuffer, 0, VALUE_LENGTH, 0, FerriteStore.PUT);
        }

        public int get(final int key, final byte[] keys)
        {
            return store.get(keyBuffer, key * KEY_LENGTH, KEY_LENGTH, dst, 0);
        }
    }

    static final class MapTarget implements Target
    {
        private final ConcurrentHashMap<ByteKey, byte[]> map;

        MapTarget(final ConcurrentHashMap<ByteKey, byte[]> map, final int entries, final byte[] keys)
        {
            this.map = map;
        }

        public void put(final int key, final byte[] keys, final byte[] value)
        {
            map.put(requestKey(key, keys), value.clone());
        }

        public int get(final int key, final byte[] keys)
        {
            final byte[] value = map.get(requestKey(key, keys));
            return null == value ? -1 : value.length;
        }
    }

    static final class CaffeineTarget implements Target
    {
        private final Cache<ByteKey, byte[]> cache;

        CaffeineTarget(final int entries, final byte[] keys)
        {
            cache = Caffeine.newBuilder().maximumSize(entries + entries / 10).build();
        }

        public void put(final int key, final byte[] keys, final byte[] value)
        {
            cache.put(requestKey(key, keys), value.clone());
        }

        public int get(final int key, final byte[] keys)
        {
            final byte[] value = cache.getIfPresent(requestKey(key, keys));
            return null == value ? -1 : value.length;
        }
    }

    /**
     * The key object an on-heap map needs for a request's key bytes.
     */
    private static ByteKey requestKey(final int key, final byte[] keys)
    {
        return new ByteKey(java.util.Arrays.copyOfRange(keys, key * KEY_LENGTH, (key + 1) * KEY_LENGTH));
    }

    private static void putLong(final byte[] array, final int offset, final long value)
    {
        for (int i = 0; i < 8; i++)
        {
            array[offset + i] = (byte)(value >>> (8 * i));
        }
    }
}
