package io.ferrite.bench.engine;

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
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static io.ferrite.bench.engine.BenchmarkKeys.DRAWS;
import static io.ferrite.bench.engine.BenchmarkKeys.DRAW_MASK;
import static io.ferrite.bench.engine.BenchmarkKeys.ENTRIES;

/**
 * The on-heap anchor: {@code ConcurrentHashMap<ByteKey, byte[]>}. Lookups use key objects equal to, but not
 * the same as, the stored ones (so equals compares bytes), with their hash computed once at creation as a
 * String's is. A get returns the stored array (no copy); a put stores a reference to a shared value array.
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
public class ConcurrentHashMapBenchmark
{
    @Param({ "UNIFORM", "ZIPF" })
    public Distribution distribution;

    private ByteKey[] lookupKeys;
    private int[] draws;
    private ConcurrentHashMap<ByteKey, byte[]> map;

    /**
     * Per-thread cursor and value.
     */
    @State(Scope.Thread)
    public static class ThreadState
    {
        final byte[] value = BenchmarkKeys.value(7);
        int cursor;

        @Setup(Level.Trial)
        public void setup(final ThreadParams params)
        {
            cursor = params.getThreadIndex() * (DRAWS / 2 + 4099);
        }
    }

    @Setup(Level.Trial)
    public void setup()
    {
        final byte[] keyBytes = BenchmarkKeys.keyBytes();
        draws = BenchmarkKeys.draws(distribution);
        map = new ConcurrentHashMap<>(ENTRIES);
        lookupKeys = new ByteKey[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            final byte[] value = BenchmarkKeys.value(i);
            map.put(new ByteKey(BenchmarkKeys.key(keyBytes, i)), value);
            lookupKeys[i] = new ByteKey(BenchmarkKeys.key(keyBytes, i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (ENTRIES != map.size())
        {
            throw new IllegalStateException("map holds " + map.size() + " entries, numbers are invalid");
        }
    }

    @Benchmark
    @Threads(1)
    public byte[] get(final ThreadState state)
    {
        return map.get(lookupKeys[draws[state.cursor++ & DRAW_MASK]]);
    }

    @Benchmark
    @Threads(1)
    public byte[] put(final ThreadState state)
    {
        return map.put(lookupKeys[draws[state.cursor++ & DRAW_MASK]], state.value);
    }

    @Benchmark
    @Threads(2)
    public byte[] get2Threads(final ThreadState state)
    {
        return get(state);
    }

    @Benchmark
    @Threads(2)
    public byte[] put2Threads(final ThreadState state)
    {
        return put(state);
    }
}
