package io.ferrite.bench.engine;

import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static io.ferrite.bench.engine.BenchmarkKeys.ENTRIES;
import static io.ferrite.bench.engine.BenchmarkKeys.KEY_LENGTH;
import static io.ferrite.bench.engine.BenchmarkKeys.VALUE_LENGTH;

/**
 * Prints, as a Markdown table, the memory each implementation takes for {@link BenchmarkKeys#ENTRIES} entries of
 * a 16-byte key and a 100-byte value: reserved (mapped or allocated) bytes and touched bytes (resident pages of
 * the mappings, from /proc/self/smaps) per entry, after loading and again after as many random overwrites as
 * there are entries times two. Run alone: {@code java [flags] -cp ferrite-benchmarks.jar
 * io.ferrite.bench.engine.MemoryPerEntry}.
 */
public final class MemoryPerEntry
{
    private static final int PAYLOAD = KEY_LENGTH + VALUE_LENGTH;
    private static final int OVERWRITES = 2 * ENTRIES;
    private static final String SHM = "/dev/shm/";

    private MemoryPerEntry()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final byte[] keyBytes = BenchmarkKeys.keyBytes();
        System.out.println("Memory per entry: " + ENTRIES + " entries of " + KEY_LENGTH + "-byte key + " +
            VALUE_LENGTH + "-byte value (payload " + PAYLOAD + " B); overhead = column minus payload.");
        System.out.println();
        System.out.println("| implementation | configuration | reserved B/entry | touched B/entry after load | " +
            "touched B/entry after " + OVERWRITES / 1_000_000 + "M overwrites | overhead beyond payload (touched, " +
            "after load) |");
        System.out.println("|---|---|---|---|---|---|");
        concurrentHashMap(keyBytes);
        ferrite(keyBytes, "anonymous, maxEntries 1.1M, capacity 256 MiB (the JMH configuration)", null,
            FerriteStoreBenchmark.MAX_ENTRIES, FerriteStoreBenchmark.CAPACITY_BYTES, 0.9, 0);
        ferrite(keyBytes, "persistent in /dev/shm, maxEntries 1.1M, capacity 256 MiB (the JMH configuration)",
            new File(SHM + "ferrite-mem-" + ProcessHandle.current().pid()), FerriteStoreBenchmark.MAX_ENTRIES,
            FerriteStoreBenchmark.CAPACITY_BYTES, 0.9, 0);
        ferriteTight(keyBytes);
        chronicle(keyBytes, null);
        chronicle(keyBytes, new File(SHM + "chronicle-mem-" + ProcessHandle.current().pid() + ".dat"));
    }

    private static void concurrentHashMap(final byte[] keyBytes)
    {
        final long before = heapUsedAfterGc();
        final ConcurrentHashMap<ByteKey, byte[]> map = new ConcurrentHashMap<>(ENTRIES);
        for (int i = 0; i < ENTRIES; i++)
        {
            map.put(new ByteKey(BenchmarkKeys.key(keyBytes, i)), BenchmarkKeys.value(i));
        }
        final long after = heapUsedAfterGc();
        Reference.reachabilityFence(map);
        final double perEntry = (after - before) / (double)ENTRIES;
        row("ConcurrentHashMap<ByteKey, byte[]>", "heap used after System.gc(), difference; G1",
            perEntry, perEntry, Double.NaN);
    }

    private static void ferrite(
        final byte[] keyBytes,
        final String configuration,
        final File dir,
        final long maxEntries,
        final long capacity,
        final double fillRatio,
        final int segmentSize)
    {
        final StoreContext ctx = new StoreContext()
            .maxEntries(maxEntries)
            .capacityBytes(capacity)
            .fillRatio(fillRatio)
            .segmentSize(0 == segmentSize ? -1 : segmentSize)
            .policy(EvictionPolicyType.LRU)
            .dir(dir)
            .deleteOnOpen(true);
        final UnsafeBuffer keys = new UnsafeBuffer(keyBytes);
        try (FerriteStore store = FerriteStoreBenchmark.open(ctx, keys))
        {
            final String match = null == dir ? "ferrite-" : dir.getPath() + "/";
            final long loaded = residentBytes(match);
            final UnsafeBuffer value = new UnsafeBuffer(BenchmarkKeys.value(3));
            final SplittableRandom random = new SplittableRandom(BenchmarkKeys.SEED);
            for (int i = 0; i < OVERWRITES; i++)
            {
                store.put(keys, random.nextInt(ENTRIES) * KEY_LENGTH, KEY_LENGTH, value, 0, VALUE_LENGTH, 0,
                    FerriteStore.PUT);
            }
            if (ENTRIES != store.size() || 0 != store.stats().evictions())
            {
                throw new IllegalStateException("evicted: " + store.stats());
            }
            final long overwritten = residentBytes(match);
            row("Ferrite FerriteStore", configuration + "; reserved = mappedBytes()",
                store.mappedBytes() / (double)ENTRIES, loaded / (double)ENTRIES, overwritten / (double)ENTRIES);
        }
        finally
        {
            if (null != dir)
            {
                IoUtil.delete(dir, true);
            }
        }
    }

    /**
     * The smallest capacity (in steps of 1 MiB, fill ratio 0.98, exactly 1M entries) that holds every entry.
     */
    private static void ferriteTight(final byte[] keyBytes)
    {
        final UnsafeBuffer keys = new UnsafeBuffer(keyBytes);
        for (long mib = 160; mib < 256; mib++)
        {
            final StoreContext ctx = new StoreContext()
                .maxEntries(ENTRIES)
                .capacityBytes(mib << 20)
                .fillRatio(0.98)
                .segmentSize(1 << 20)
                .policy(EvictionPolicyType.LRU)
                .dir(null);
            try (FerriteStore store = FerriteStore.open(ctx))
            {
                if (!loadsWithoutEviction(store, keys))
                {
                    continue;
                }
            }
            ferrite(keyBytes, "anonymous, maxEntries 1M, fillRatio 0.98, segment 1 MiB, capacity " + mib +
                " MiB (smallest that holds 1M)", null, ENTRIES, mib << 20, 0.98, 1 << 20);
            return;
        }
    }

    private static boolean loadsWithoutEviction(final FerriteStore store, final UnsafeBuffer keys)
    {
        final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
        for (int i = 0; i < ENTRIES; i++)
        {
            if (FerriteStore.STORED !=
                store.put(keys, i * KEY_LENGTH, KEY_LENGTH, value, 0, VALUE_LENGTH, 0, FerriteStore.PUT))
            {
                return false;
            }
        }
        return ENTRIES == store.size() && 0 == store.stats().evictions();
    }

    private static void chronicle(final byte[] keyBytes, final File file) throws IOException
    {
        if (null != file)
        {
            Files.deleteIfExists(file.toPath());
        }
        final byte[][] keys = new byte[ENTRIES][];
        for (int i = 0; i < ENTRIES; i++)
        {
            keys[i] = BenchmarkKeys.key(keyBytes, i);
        }
        try (ChronicleMap<byte[], byte[]> map = ChronicleMapBenchmark.create(file))
        {
            final byte[] value = BenchmarkKeys.value(3);
            for (int i = 0; i < ENTRIES; i++)
            {
                ChronicleMapBenchmark.put(map, keys[i], value);
            }
            if (null == file)
            {
                final double reserved = map.offHeapMemoryUsed() / (double)ENTRIES;
                row("Chronicle Map 2026.1", "in memory, entries(1M), constant key/value sizes; " +
                    "reserved = offHeapMemoryUsed(), touched not separable", reserved, Double.NaN, Double.NaN);
                return;
            }
            final long loaded = residentBytes(file.getPath());
            final SplittableRandom random = new SplittableRandom(BenchmarkKeys.SEED);
            for (int i = 0; i < OVERWRITES; i++)
            {
                ChronicleMapBenchmark.put(map, keys[random.nextInt(ENTRIES)], value);
            }
            final long overwritten = residentBytes(file.getPath());
            row("Chronicle Map 2026.1", "persisted to /dev/shm, entries(1M), constant key/value sizes; " +
                "reserved = file length (offHeapMemoryUsed() " + map.offHeapMemoryUsed() / ENTRIES + " B/entry)",
                file.length() / (double)ENTRIES, loaded / (double)ENTRIES, overwritten / (double)ENTRIES);
        }
        finally
        {
            if (null != file)
            {
                Files.deleteIfExists(file.toPath());
            }
        }
    }

    private static void row(
        final String name, final String configuration, final double reserved, final double loaded,
        final double overwritten)
    {
        final double overhead = Double.isNaN(loaded) ? reserved - PAYLOAD : loaded - PAYLOAD;
        System.out.println("| " + name + " | " + configuration + " | " + format(reserved) + " | " + format(loaded) +
            " | " + format(overwritten) + " | " + format(overhead) + " |");
    }

    private static String format(final double value)
    {
        return Double.isNaN(value) ? "-" : String.format("%.1f", value);
    }

    private static long heapUsedAfterGc()
    {
        for (int i = 0; i < 4; i++)
        {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Resident bytes of this process's mappings whose path contains {@code match}.
     */
    static long residentBytes(final String match)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(Paths.get("/proc/self/smaps"), StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        long total = 0;
        boolean matching = false;
        for (final String line : lines)
        {
            final int space = line.indexOf(' ');
            if (space > 0 && line.indexOf('-') > 0 && line.indexOf('-') < space)
            {
                matching = line.contains(match);
            }
            else if (matching && line.startsWith("Rss:"))
            {
                total += 1024 * Long.parseLong(line.substring(4, line.length() - 2).trim());
            }
        }
        return total;
    }
}
