package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Single operations at their edges: expiry reclaimed by the incremental sweep, buffers too small, keys out of
 * range, TTLs at the end of time, iteration, clear, counters, anonymous stores.
 */
@Timeout(30)
class StoreOperationsTest
{
    @TempDir
    File tempDir;

    private final MutableClock clock = new MutableClock(1_000_000);
    private final List<FerriteStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores()
    {
        stores.forEach(FerriteStore::close);
    }

    private FerriteStore open(final StoreContext ctx)
    {
        final FerriteStore store = FerriteStore.open(ctx.clock(clock));
        stores.add(store);
        return store;
    }

    private FerriteStore open()
    {
        return open(new StoreContext().capacityBytes(1 << 20).maxEntries(1000));
    }

    @Test
    void shouldReclaimExpiredEntriesThroughTheIncrementalSweepWithoutAccess()
    {
        final FerriteStore store = open();
        for (int i = 0; i < 100; i++)
        {
            store.put(bytes("short-" + i), new byte[100], 10);
        }
        final long liveBytesWithExpiring = store.stats().liveBytes();
        clock.advance(10);
        for (int i = 0; i < 100; i++)
        {
            store.put(bytes("long-" + i), new byte[10]);
        }
        final StoreStats stats = store.stats();
        assertEquals(100, stats.expirations(), "puts sweep expired entries they never touch: " + stats);
        assertEquals(0, stats.evictions(), "nothing needed evicting: " + stats);
        assertEquals(100, store.size(), "only the entries without TTL remain");
        assertTrue(stats.liveBytes() < liveBytesWithExpiring, "the expired entries' bytes came back: " + stats);
        store.verify();
    }

    @Test
    void shouldReturnLengthAndCopyNothingWhenDestinationIsTooSmall()
    {
        final FerriteStore store = open();
        store.put(bytes("k"), bytes("0123456789"));
        final UnsafeBuffer key = new UnsafeBuffer(bytes("k"));
        final UnsafeBuffer small = new UnsafeBuffer(new byte[8]);
        assertEquals(10, store.get(key, 0, 1, small, 0), "the value's length comes back");
        assertArrayEquals(new byte[8], small.byteArray(), "nothing copied into a buffer that is too small");
        final UnsafeBuffer exact = new UnsafeBuffer(new byte[12]);
        assertEquals(10, store.get(key, 0, 1, exact, 2), "value length when copied at an offset");
        assertArrayEquals(bytes("0123456789"), Arrays.copyOfRange(exact.byteArray(), 2, 12));
        assertEquals(FerriteStore.NOT_FOUND, store.get(new UnsafeBuffer(bytes("x")), 0, 1, exact, 0));
    }

    @Test
    void shouldRefuseKeysOutsideTheAllowedLengths()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20).segmentSize(128 * 1024));
        final UnsafeBuffer value = new UnsafeBuffer(bytes("v"));
        final UnsafeBuffer tooLong = new UnsafeBuffer(new byte[StoreConfiguration.MAX_KEY_LENGTH + 1]);
        assertEquals(FerriteStore.INVALID_KEY, store.put(tooLong, 0, tooLong.capacity(), value, 0, 1, 0,
            FerriteStore.PUT), "a key longer than MAX_KEY_LENGTH");
        assertEquals(FerriteStore.INVALID_KEY, store.put(tooLong, 0, 0, value, 0, 1, 0, FerriteStore.PUT),
            "an empty key");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> store.put(new byte[0], bytes("v")));
        assertTrue(ex.getMessage().contains("key length 0"), ex.getMessage());
        final UnsafeBuffer longest = new UnsafeBuffer(new byte[StoreConfiguration.MAX_KEY_LENGTH]);
        assertEquals(FerriteStore.STORED, store.put(longest, 0, longest.capacity(), value, 0, 1, 0,
            FerriteStore.PUT), "the longest allowed key");
        assertFalse(store.contains(new byte[0]), "an empty key is never contained");
        assertNull(store.get(new byte[0]), "an empty key finds nothing");
        assertEquals(3, store.stats().rejected(), "rejected counter (three refused puts): " + store.stats());
        store.verify();
    }

    @Test
    void shouldTreatHugeTtlAsNeverExpiringNotAsAlreadyExpired()
    {
        final FerriteStore store = open();
        store.put(bytes("forever"), bytes("v"), Long.MAX_VALUE);
        assertArrayEquals(bytes("v"), store.get(bytes("forever")), "a TTL of Long.MAX_VALUE ms must not overflow");
        clock.advance(365L * 24 * 3600 * 1000);
        assertArrayEquals(bytes("v"), store.get(bytes("forever")), "still there a year later");
        store.put(bytes("negative"), bytes("v"), -5);
        clock.advance(1_000_000);
        assertArrayEquals(bytes("v"), store.get(bytes("negative")), "a negative TTL means no expiry");
    }

    @Test
    void shouldVisitInStepsExactlyTheEntriesThatStayLiveThroughTheScan()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        System.out.println("shouldVisitInStepsExactlyTheEntriesThatStayLiveThroughTheScan seed " + seed +
            " (-Dferrite.test.seed to replay)");
        final Random random = new Random(seed);
        final FerriteStore store = open();
        for (int i = 0; i < 600; i++)
        {
            store.put(bytes("k" + i), bytes("v" + i), i % 7 == 0 ? 5 : 0);
        }
        for (int i = 0; i < 600; i += 11)
        {
            store.delete(bytes("k" + i));
        }
        clock.advance(5);
        final Map<String, String> whole = new HashMap<>();
        store.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
            whole.put(buffer.getStringWithoutLengthAscii(keyOffset, keyLength),
                buffer.getStringWithoutLengthAscii(valueOffset, valueLength)));

        // untouched keys are seen once each; keys written or deleted between steps are not promised either way
        final Map<String, Integer> counts = new HashMap<>();
        final java.util.Set<String> touched = new java.util.HashSet<>();
        int cursor = 0;
        int steps = 0;
        while (cursor >= 0)
        {
            assertTrue(store.recordsAfter(cursor) > 0, "records left before a step at " + cursor + ", seed " + seed);
            cursor = store.forEach(cursor, 1 + random.nextInt(40), (buffer, keyOffset, keyLength, v, vl, e) ->
                counts.merge(buffer.getStringWithoutLengthAscii(keyOffset, keyLength), 1, Integer::sum));
            final String changed = "k" + random.nextInt(700);
            touched.add(changed);
            if (random.nextBoolean())
            {
                store.put(bytes(changed), bytes("new"));
            }
            else
            {
                store.delete(bytes(changed));
            }
            steps++;
        }
        assertEquals(0, store.recordsAfter(cursor), "nothing left after the last step");
        assertTrue(steps > 10, "the scan took several steps: " + steps);
        for (final Map.Entry<String, String> e : whole.entrySet())
        {
            if (!touched.contains(e.getKey()))
            {
                assertEquals(1, counts.getOrDefault(e.getKey(), 0), e.getKey() + " visited once, seed " + seed);
            }
        }
        for (final Map.Entry<String, Integer> e : counts.entrySet())
        {
            assertTrue(touched.contains(e.getKey()) || whole.containsKey(e.getKey()),
                e.getKey() + " was not live and was visited, seed " + seed);
        }
        assertThrows(IllegalArgumentException.class, () -> store.forEach(-1, 5, (b, ko, kl, v, vl, e) -> { }),
            "a negative cursor is refused");
    }

    @Test
    void shouldIterateLiveUnexpiredEntriesOnly()
    {
        final FerriteStore store = open();
        for (int i = 0; i < 50; i++)
        {
            store.put(bytes("k" + i), bytes("v" + i), i % 2 == 0 ? 5 : 0);
        }
        store.delete(bytes("k1"));
        clock.advance(5);
        final Map<String, String> seen = new HashMap<>();
        final long visited = store.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
            seen.put(buffer.getStringWithoutLengthAscii(keyOffset, keyLength),
                buffer.getStringWithoutLengthAscii(valueOffset, valueLength)));
        assertEquals(24, visited, "25 without TTL minus one deleted");
        assertEquals(24, seen.size(), "distinct keys visited: " + seen.keySet());
        for (int i = 3; i < 50; i += 2)
        {
            assertEquals("v" + i, seen.get("k" + i), "k" + i);
        }
    }

    @Test
    void shouldClearEverythingButKeepHistoryCounters()
    {
        final FerriteStore store = open();
        for (int i = 0; i < 100; i++)
        {
            store.put(bytes("k" + i), bytes("v" + i));
        }
        store.get(bytes("k1"));
        store.get(bytes("missing"));
        store.clear();
        store.verify();
        assertEquals(0, store.size(), "size after clear");
        assertEquals(0, store.stats().liveBytes(), "live bytes after clear");
        assertNull(store.get(bytes("k1")));
        assertEquals(1, store.stats().hits(), "history counters survive clear: " + store.stats());
        store.put(bytes("again"), bytes("works"));
        assertArrayEquals(bytes("works"), store.get(bytes("again")));
        store.verify();
    }

    @Test
    void shouldCountHitsMissesPutsAndDeletes()
    {
        final FerriteStore store = open();
        store.put(bytes("a"), bytes("1"));
        store.put(bytes("a"), bytes("2"));
        store.get(bytes("a"));
        store.get(bytes("b"));
        store.contains(bytes("a"));
        store.delete(bytes("a"));
        store.delete(bytes("a"));
        final StoreStats stats = store.stats();
        assertEquals(2, stats.puts(), "puts: " + stats);
        assertEquals(1, stats.hits(), "hits (contains is not a hit): " + stats);
        assertEquals(1, stats.misses(), "misses: " + stats);
        assertEquals(1, stats.deletes(), "only a delete that removed something counts: " + stats);
        assertEquals(0.5, stats.hitRatio(), 1e-9, "hit ratio: " + stats);
    }

    @Test
    void shouldLeaveNoFilesBehindForAnAnonymousStore()
    {
        final File anonymousDir = new File(tempDir, "anon");
        assertTrue(anonymousDir.mkdirs(), "cannot create " + anonymousDir);
        final FerriteStore store = open(new StoreContext().dir(null).anonymousDir(anonymousDir).capacityBytes(1 << 20));
        store.put(bytes("k"), bytes("v"));
        assertArrayEquals(bytes("v"), store.get(bytes("k")));
        final String[] files = anonymousDir.list();
        assertEquals(0, null == files ? 0 : files.length, "an anonymous store's files are unlinked once mapped");
        store.close();
        assertTrue(store.isClosed(), "closed after close()");
    }

    @Test
    void shouldStayWithinCapacityAndStoreLargeValues()
    {
        final long capacity = 16L * 1024 * 1024;
        final FerriteStore store = open(
            new StoreContext().capacityBytes(capacity).maxEntries(1000).segmentSize(2 * 1024 * 1024));
        assertTrue(store.mappedBytes() <= capacity, "mapped " + store.mappedBytes() + " > capacity " + capacity);
        final byte[] mib = new byte[1024 * 1024];
        for (int i = 0; i < mib.length; i++)
        {
            mib[i] = (byte)(i * 13);
        }
        for (int i = 0; i < 12; i++)
        {
            mib[0] = (byte)i;
            store.put(bytes("big-" + i), mib);
            store.verify();
            assertArrayEquals(mib, store.get(bytes("big-" + i)), "1 MiB value " + i);
        }
        assertTrue(store.stats().evictions() > 0,
            "12 MiB of values in a 16 MiB store (under 10 MiB for data) must evict: " + store.stats());
    }

    @Test
    void shouldKeepEveryValueWhenTheCleanerMovesTheBlockBeingUpdated()
    {
        // A tiny log (4 KiB segments) rewritten over and over: the cleaner runs inside many updates, and often
        // moves the old block of the very entry being updated, whose slot the update then repoints.
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        System.out.println("shouldKeepEveryValueWhenTheCleanerMovesTheBlockBeingUpdated seed " + seed);
        final Random random = new Random(seed);
        final FerriteStore store = open(new StoreContext()
            .capacityBytes(96 * 1024).segmentSize(4096).maxEntries(400).policy(EvictionPolicyType.LRU));
        final int keys = 300;
        final byte[][] expected = new byte[keys][];
        final byte[] dst = new byte[200];
        for (int step = 0; step < 20_000; step++)
        {
            final int k = random.nextInt(keys);
            final byte[] value = new byte[50 + random.nextInt(100)];
            random.nextBytes(value);
            store.put(bytes("key-" + k), value, 0 == random.nextInt(8) ? 1_000_000 : 0);
            expected[k] = value;
            final int probe = random.nextInt(keys);
            final int length = store.get(new UnsafeBuffer(bytes("key-" + probe)), 0, bytes("key-" + probe).length,
                new UnsafeBuffer(dst), 0);
            if (null == expected[probe])
            {
                assertEquals(FerriteStore.NOT_FOUND, length, "seed " + seed + " step " + step);
            }
            else
            {
                assertArrayEquals(expected[probe], Arrays.copyOf(dst, length), "seed " + seed + " step " + step);
            }
            if (0 == step % 500)
            {
                store.verify();
            }
        }
        store.verify();
        final StoreStats stats = store.stats();
        assertEquals(0, stats.evictions(), "the log has room for every key: " + stats);
        assertTrue(stats.cleanedSegments() > 100 && stats.relocatedBytes() > 100_000, "the cleaner ran: " + stats);
    }

    @Test
    void shouldKeepCompactAndWideBlocksSideBySideAcrossARestart()
    {
        assertEquals(128, BlockDescriptor.blockLength(16, 100), "16-byte key + 100-byte value: 12-byte header, no pad");
        assertEquals(16 + 264 + 8, BlockDescriptor.blockLength(257, 8), "a 257-byte key takes the 16-byte header");
        final int[] keyLengths = { 1, 255, 256, 257, 1000 };
        final int[] valueLengths = { 0, 1, 100, 5000 };
        final File dir = new File(tempDir, "forms");
        final StoreContext ctx = new StoreContext().dir(dir).capacityBytes(4 << 20).maxEntries(100);
        final FerriteStore store = FerriteStore.open(ctx.clock(clock));
        for (final int k : keyLengths)
        {
            for (final int v : valueLengths)
            {
                store.put(key(k, v), value(k, v), 0 == (k + v) % 2 ? 60_000 : 0);
            }
        }
        store.verify();
        store.close();
        final FerriteStore reopened = open(new StoreContext().dir(dir).capacityBytes(4 << 20).maxEntries(100));
        reopened.verify();
        for (final int k : keyLengths)
        {
            for (final int v : valueLengths)
            {
                assertArrayEquals(value(k, v), reopened.get(key(k, v)), "key " + k + " bytes, value " + v + " bytes");
            }
        }
        clock.advance(60_000);
        for (final int k : keyLengths)
        {
            for (final int v : valueLengths)
            {
                assertEquals(0 != (k + v) % 2, reopened.contains(key(k, v)), "the TTL came back with the block");
            }
        }
    }

    private static byte[] key(final int length, final int salt)
    {
        final byte[] key = new byte[length];
        for (int i = 0; i < length; i++)
        {
            key[i] = (byte)(i * 31 + salt);
        }
        return key;
    }

    private static byte[] value(final int length, final int salt)
    {
        final byte[] value = new byte[salt];
        Arrays.fill(value, (byte)length);
        return value;
    }

    @Test
    void shouldStoreAValueTooLongForTheCompactHeader()
    {
        final int length = BlockDescriptor.COMPACT_MAX_VALUE_LENGTH + 9;
        final File dir = new File(tempDir, "wide-value");
        final StoreContext ctx =
            new StoreContext().dir(dir).capacityBytes(48 << 20).segmentSize(8 << 20).maxEntries(16);
        final byte[] big = value(7, length);
        final FerriteStore store = FerriteStore.open(ctx.clock(clock));
        store.put(bytes("big"), big, 60_000);
        store.put(bytes("small"), value(3, 100));
        assertArrayEquals(big, store.get(bytes("big")), "a value of " + length + " bytes takes the wide header");
        store.verify();
        store.close();
        final FerriteStore reopened = open(new StoreContext().dir(dir).capacityBytes(48 << 20).segmentSize(8 << 20)
            .maxEntries(16));
        reopened.verify();
        assertArrayEquals(big, reopened.get(bytes("big")));
        assertArrayEquals(value(3, 100), reopened.get(bytes("small")));
        clock.advance(60_000);
        assertNull(reopened.get(bytes("big")), "its TTL is read from the wide header's position");
    }
}
