package io.ferrite.bench.engine;

import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.serialization.impl.ByteArraySizedReader;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
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

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static io.ferrite.bench.engine.BenchmarkKeys.DRAWS;
import static io.ferrite.bench.engine.BenchmarkKeys.DRAW_MASK;
import static io.ferrite.bench.engine.BenchmarkKeys.ENTRIES;
import static io.ferrite.bench.engine.BenchmarkKeys.KEY_LENGTH;
import static io.ferrite.bench.engine.BenchmarkKeys.VALUE_LENGTH;

/**
 * Chronicle Map 2026.1 in its garbage-free configuration: {@code byte[]} keys and values of constant size
 * ({@code constantKeySizeBySample}, {@code constantValueSizeBySample}) read by {@code ByteArraySizedReader} and
 * written through {@link ReusingByteArrayDataAccess} (the default {@code ByteArrayDataAccess} allocates a
 * {@code HeapBytesStore} per call, 192 B/op); keys taken from arrays built in set-up; a get is {@code getUsing}
 * into a reused per-thread array; a put goes through a query context ({@code replaceValue}, or {@code insert}
 * when absent) because {@code Map.put} returns the previous value as a new array (120 B/op).
 * Persisted to a file in /dev/shm, or in memory.
 * <p>
 * The map is thread-safe (segment locks), so it runs with 1 and 2 threads.
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
public class ChronicleMapBenchmark
{
    /**
     * Where the map lives.
     */
    public enum MapMode
    {
        /** {@code createPersistedTo} a file in /dev/shm. */
        PERSISTED,
        /** {@code create()}: off-heap memory of the process. */
        IN_MEMORY
    }

    @Param({ "PERSISTED", "IN_MEMORY" })
    public MapMode mode;

    @Param({ "UNIFORM", "ZIPF" })
    public Distribution distribution;

    private byte[][] keys;
    private int[] draws;
    private ChronicleMap<byte[], byte[]> map;
    private File file;

    /**
     * Per-thread cursor and reused arrays.
     */
    @State(Scope.Thread)
    public static class ThreadState
    {
        final byte[] value = BenchmarkKeys.value(7);
        final byte[] dst = new byte[VALUE_LENGTH];
        int cursor;

        @Setup(Level.Trial)
        public void setup(final ThreadParams params)
        {
            cursor = params.getThreadIndex() * (DRAWS / 2 + 4099);
        }
    }

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        final byte[] keyBytes = BenchmarkKeys.keyBytes();
        keys = new byte[ENTRIES][];
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = BenchmarkKeys.key(keyBytes, i);
        }
        draws = BenchmarkKeys.draws(distribution);
        if (MapMode.PERSISTED == mode)
        {
            file = new File("/dev/shm/chronicle-bench-" + ProcessHandle.current().pid() + ".dat");
            Files.deleteIfExists(file.toPath());
        }
        map = create(file);
        final byte[] value = new byte[VALUE_LENGTH];
        for (int i = 0; i < ENTRIES; i++)
        {
            value[0] = (byte)i;
            put(map, keys[i], value);
        }
        if (ENTRIES != map.size())
        {
            throw new IllegalStateException("map holds " + map.size() + " entries");
        }
    }

    static ChronicleMap<byte[], byte[]> create(final File file) throws IOException
    {
        final ChronicleMapBuilder<byte[], byte[]> builder = ChronicleMap.of(byte[].class, byte[].class)
            .name("ferrite-bench")
            .entries(ENTRIES)
            .constantKeySizeBySample(new byte[KEY_LENGTH])
            .constantValueSizeBySample(new byte[VALUE_LENGTH])
            .keyReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ReusingByteArrayDataAccess(KEY_LENGTH))
            .valueReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new ReusingByteArrayDataAccess(VALUE_LENGTH));
        return null == file ? builder.create() : builder.createPersistedTo(file);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        final long size = map.size();
        map.close();
        if (null != file)
        {
            try
            {
                Files.deleteIfExists(file.toPath());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        if (ENTRIES != size)
        {
            throw new IllegalStateException("map holds " + size + " entries, numbers are invalid");
        }
    }

    @Benchmark
    @Threads(1)
    public byte[] get(final ThreadState state)
    {
        return map.getUsing(keys[draws[state.cursor++ & DRAW_MASK]], state.dst);
    }

    @Benchmark
    @Threads(1)
    public boolean put(final ThreadState state)
    {
        return put(map, keys[draws[state.cursor++ & DRAW_MASK]], state.value);
    }

    /**
     * Put without returning the previous value (which {@code Map.put} deserialises into a new array).
     *
     * @return true if the key was present.
     */
    static boolean put(final ChronicleMap<byte[], byte[]> map, final byte[] key, final byte[] value)
    {
        try (ExternalMapQueryContext<byte[], byte[], ?> context = map.queryContext(key))
        {
            context.updateLock().lock();
            final MapEntry<byte[], byte[]> entry = context.entry();
            final Data<byte[]> data = context.wrapValueAsData(value);
            if (null != entry)
            {
                context.replaceValue(entry, data);
                return true;
            }
            context.insert(context.absentEntry(), data);
            return false;
        }
    }

    @Benchmark
    @Threads(2)
    public byte[] get2Threads(final ThreadState state)
    {
        return get(state);
    }

    @Benchmark
    @Threads(2)
    public boolean put2Threads(final ThreadState state)
    {
        return put(state);
    }
}
