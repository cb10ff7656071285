package io.ferrite.bench.engine;

import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import io.ferrite.engine.StoreStats;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static io.ferrite.bench.engine.BenchmarkKeys.DRAW_MASK;
import static io.ferrite.bench.engine.BenchmarkKeys.ENTRIES;
import static io.ferrite.bench.engine.BenchmarkKeys.KEY_LENGTH;
import static io.ferrite.bench.engine.BenchmarkKeys.VALUE_LENGTH;

/**
 * Ferrite's engine through its zero-copy API: keys are read from one {@link UnsafeBuffer} over all the keys,
 * a get copies the value into a reused buffer, a put overwrites an existing key from a reused value buffer.
 * The store holds all {@link BenchmarkKeys#ENTRIES} entries without eviction (checked at tear-down).
 * <p>
 * One thread only: a store has a single writer, reads included (a get updates LRU recency).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    JvmFlags.AGRONA_EXPORTS, JvmFlags.NO_BOUNDS_CHECKS, JvmFlags.CHRONICLE_ANALYTICS, JvmFlags.OPENS_LANG,
    JvmFlags.OPENS_REFLECT, JvmFlags.EXPORTS_NIO, JvmFlags.EXPORTS_JAVAC, JvmFlags.EXPORTS_REF,
    JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX, JvmFlags.GC })
public class FerriteStoreBenchmark
{
    /** Room for every entry plus 10%. */
    static final long MAX_ENTRIES = 1_100_000;
    /** Index and entry table (about 46 MB) plus a data log in which 1M blocks of 128 bytes fill about 60%. */
    static final long CAPACITY_BYTES = 256L * 1024 * 1024;

    /**
     * Where the store lives.
     */
    public enum StoreMode
    {
        /** Unlinked files in /dev/shm, gone on close. */
        ANONYMOUS,
        /** A store directory under /dev/shm. */
        PERSISTENT
    }

    @Param({ "ANONYMOUS", "PERSISTENT" })
    public StoreMode mode;

    @Param({ "UNIFORM", "ZIPF" })
    public Distribution distribution;

    /** The figures in perf-results/engine use LRU; {@code -p policy=WINDOW_TINY_LFU} measures the default policy. */
    @Param({ "LRU" })
    public EvictionPolicyType policy;

    private final UnsafeBuffer value = new UnsafeBuffer(BenchmarkKeys.value(7));
    private final UnsafeBuffer dst = BenchmarkKeys.valueDestination();
    private UnsafeBuffer keys;
    private int[] draws;
    private int cursor;
    private FerriteStore store;
    private File dir;

    @Setup(Level.Trial)
    public void setup()
    {
        keys = new UnsafeBuffer(BenchmarkKeys.keyBytes());
        draws = BenchmarkKeys.draws(distribution);
        final StoreContext ctx = new StoreContext()
            .maxEntries(MAX_ENTRIES)
            .capacityBytes(CAPACITY_BYTES)
            .policy(policy);
        if (StoreMode.PERSISTENT == mode)
        {
            dir = new File("/dev/shm/ferrite-bench-" + ProcessHandle.current().pid());
            ctx.dir(dir).deleteOnOpen(true);
        }
        else
        {
            ctx.dir(null);
        }
        store = open(ctx, keys);
    }

    static FerriteStore open(final StoreContext ctx, final UnsafeBuffer keys)
    {
        final FerriteStore store = FerriteStore.open(ctx);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        for (int i = 0; i < ENTRIES; i++)
        {
            value.putInt(0, i);
            store.checkPut(
                store.put(keys, i * KEY_LENGTH, KEY_LENGTH, value, 0, VALUE_LENGTH, 0, FerriteStore.PUT),
                KEY_LENGTH, VALUE_LENGTH);
        }
        if (ENTRIES != store.size() || 0 != store.stats().evictions())
        {
            throw new IllegalStateException("store did not keep every entry: " + store.stats());
        }
        return store;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        final StoreStats stats = store.stats();
        System.out.println();
        System.out.println("ferrite " + mode + " " + distribution + ": " + stats);
        store.close();
        if (null != dir)
        {
            IoUtil.delete(dir, true);
        }
        if (ENTRIES != stats.size() || 0 != stats.evictions() || 0 != stats.misses())
        {
            throw new IllegalStateException("benchmark evicted or missed, numbers are invalid: " + stats);
        }
    }

    @Benchmark
    @Threads(1)
    public int get()
    {
        return store.get(keys, draws[cursor++ & DRAW_MASK] * KEY_LENGTH, KEY_LENGTH, dst, 0);
    }

    @Benchmark
    @Threads(1)
    public int put()
    {
        return store.put(
            keys, draws[cursor++ & DRAW_MASK] * KEY_LENGTH, KEY_LENGTH, value, 0, VALUE_LENGTH, 0, FerriteStore.PUT);
    }
}
