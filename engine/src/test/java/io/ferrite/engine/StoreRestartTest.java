package io.ferrite.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
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
 * Reopening a store's directory: a clean close keeps everything (values, TTLs, recency and frequency order); files
 * that are not a usable store of this layout are refused with a clear error.
 */
@Timeout(30)
class StoreRestartTest
{
    private static final int ENTRIES = 64;

    @TempDir
    File tempDir;

    private final MutableClock clock = new MutableClock(5_000_000);
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

    private File dir()
    {
        return new File(tempDir, "store");
    }

    private StoreContext context(final EvictionPolicyType policy)
    {
        return new StoreContext().dir(dir()).capacityBytes(256 * 1024).maxEntries(ENTRIES).policy(policy);
    }

    private static byte[] valueOf(final int i)
    {
        final byte[] value = new byte[(i * 53) % 500];
        for (int b = 0; b < value.length; b++)
        {
            value[b] = (byte)(i + b);
        }
        return value;
    }

    /**
     * Fill a store to its entry limit (some keys with TTLs), shuffle recency with gets and updates.
     *
     * @return TTL in ms of each key with one.
     */
    private static Map<String, Long> fill(final FerriteStore store)
    {
        final Map<String, Long> ttls = new HashMap<>();
        for (int i = 0; i < ENTRIES; i++)
        {
            final long ttl = i % 3 == 0 ? 1_000 + i * 10L : 0;
            store.put(bytes("k" + i), valueOf(i), ttl);
            if (ttl > 0)
            {
                ttls.put("k" + i, ttl);
            }
        }
        final Random random = new Random(7);
        for (int n = 0; n < 200; n++)
        {
            final int i = random.nextInt(ENTRIES);
            if (n % 5 == 0)
            {
                store.put(bytes("k" + i), valueOf(i), ttls.getOrDefault("k" + i, 0L));
            }
            else
            {
                store.get(bytes("k" + i));
            }
        }
        return ttls;
    }

    @Test
    void shouldKeepValuesTtlsAndRecencyOrderAcrossCleanRestart()
    {
        final long start = clock.time();
        final FerriteStore first = open(context(EvictionPolicyType.LRU));
        final Map<String, Long> ttls = fill(first);
        final List<String> order = StoreProbe.keysEldestFirst(first, 0);
        assertEquals(ENTRIES, order.size(), "store filled to its entry limit");
        first.close();

        final FerriteStore second = open(context(EvictionPolicyType.LRU));
        second.verify();
        assertEquals(ENTRIES, second.size(), "every entry survives a clean restart");
        assertEquals(order, StoreProbe.keysEldestFirst(second, 0), "recency order survives a clean restart");

        for (int n = 0; n < 5; n++)
        {
            second.put(bytes("new" + n), bytes("fresh"));
            assertFalse(second.contains(bytes(order.get(n))),
                "new entry " + n + " should evict " + order.get(n) + ", the least recently used before the restart");
            assertTrue(second.contains(bytes(order.get(n + 1))), order.get(n + 1) + " is still there");
        }
        for (int i = 0; i < ENTRIES; i++)
        {
            final String key = "k" + i;
            if (order.indexOf(key) >= 5)
            {
                assertArrayEquals(valueOf(i), second.get(bytes(key)), key + " value after restart");
            }
        }

        // TTLs were set at 'start' (the fill's updates re-put with the same TTL at the same clock time); walk them
        // shortest first so the clock only moves forward.
        final List<Map.Entry<String, Long>> byTtl = new ArrayList<>(ttls.entrySet());
        byTtl.sort(Map.Entry.comparingByValue());
        for (final Map.Entry<String, Long> e : byTtl)
        {
            if (order.indexOf(e.getKey()) < 5)
            {
                continue;
            }
            clock.advance(start + e.getValue() - 1 - clock.time());
            assertTrue(second.contains(bytes(e.getKey())), e.getKey() + " must live until its TTL of " +
                e.getValue() + " ms after the restart");
            clock.advance(1);
            assertNull(second.get(bytes(e.getKey())), e.getKey() + " must expire at its TTL of " + e.getValue() +
                " ms after the restart");
        }
        assertTrue(second.contains(bytes("k1")), "entries without TTL never expire");
        second.verify();
    }

    @Test
    void shouldKeepEveryCountedHitMissAndPutAcrossCleanRestart()
    {
        final FerriteStore first = open(context(EvictionPolicyType.LRU));
        first.put(bytes("a"), bytes("1"));
        first.get(bytes("a"));
        first.get(bytes("a"));
        first.get(bytes("b"));
        final StoreStats before = first.stats();
        first.put(bytes("c"), bytes("3"));
        first.get(bytes("c"));
        first.close();

        final StoreStats after = open(context(EvictionPolicyType.LRU)).stats();
        assertEquals(before.puts() + 1, after.puts(), "puts, including one after the last stats(): " + after);
        assertEquals(before.hits() + 1, after.hits(), "hits, including one after the last stats(): " + after);
        assertEquals(1, after.misses(), "misses: " + after);
    }

    @Test
    void shouldKeepFrequencyLevelsAcrossCleanRestart()
    {
        final FerriteStore first = open(context(EvictionPolicyType.LFU).agingPeriod(50));
        fill(first);
        final Map<String, Integer> levels = new HashMap<>();
        final FrequencyPolicy policy = (FrequencyPolicy)first.policy();
        for (int i = 0; i < ENTRIES; i++)
        {
            levels.put("k" + i, policy.level(StoreProbe.entryOf(first, "k" + i)));
        }
        final String victim = StoreProbe.victimKey(first);
        first.close();

        final FerriteStore second = open(context(EvictionPolicyType.LFU));
        second.verify();
        assertEquals(EvictionPolicyType.LFU, second.policyType(), "policy comes from the files");
        final FrequencyPolicy reopened = (FrequencyPolicy)second.policy();
        for (int i = 0; i < ENTRIES; i++)
        {
            assertEquals(levels.get("k" + i), reopened.level(StoreProbe.entryOf(second, "k" + i)),
                "frequency level of k" + i + " after restart");
        }
        assertEquals(victim, StoreProbe.victimKey(second), "the next victim is the same after a restart");
    }

    @Test
    void shouldRefuseFileOfAnotherLayoutVersionWithClearMessage() throws IOException
    {
        open(context(EvictionPolicyType.LRU)).put(bytes("k"), bytes("v"));
        closeStores();
        stores.clear();
        final File meta = new File(dir(), FerriteStore.META_FILE);
        final int version = readInt(meta, StoreDescriptor.VERSION_OFFSET);
        assertEquals(StoreDescriptor.LAYOUT_VERSION, version, "the version int sits at offset 8 of the meta file");
        writeInt(meta, StoreDescriptor.VERSION_OFFSET, version + 1);

        final StoreCorruptedException ex = assertThrows(StoreCorruptedException.class,
            () -> open(context(EvictionPolicyType.LRU)), "a file of another layout version must be refused");
        assertTrue(ex.getMessage().contains("layout version " + (version + 1)) &&
            ex.getMessage().contains("version " + version), "message should name both versions: " + ex.getMessage());

        writeInt(meta, StoreDescriptor.VERSION_OFFSET, 1);
        final StoreCorruptedException v1 = assertThrows(StoreCorruptedException.class,
            () -> open(context(EvictionPolicyType.LRU)), "a layout version 1 store must be refused, not misread");
        assertTrue(v1.getMessage().contains("layout version 1") && v1.getMessage().contains("not converted"),
            "the message should say a v1 store is not converted: " + v1.getMessage());

        writeInt(meta, StoreDescriptor.VERSION_OFFSET, version);
        assertArrayEquals(bytes("v"), open(context(EvictionPolicyType.LRU)).get(bytes("k")),
            "a refused open must leave the files and the lock usable");
    }

    @Test
    void shouldRefuseTruncatedDataFile() throws IOException
    {
        open(context(EvictionPolicyType.LRU)).put(bytes("k"), bytes("v"));
        closeStores();
        stores.clear();
        final File data = new File(dir(), FerriteStore.DATA_FILE);
        final long length = data.length();
        try (RandomAccessFile raf = new RandomAccessFile(data, "rw"))
        {
            raf.setLength(length / 2);
        }
        final StoreCorruptedException ex = assertThrows(StoreCorruptedException.class,
            () -> open(context(EvictionPolicyType.LRU)), "a truncated data file must be refused");
        assertTrue(ex.getMessage().contains(data.getPath()) && ex.getMessage().contains("" + length),
            "message should name the data file and its expected length: " + ex.getMessage());
        assertEquals(length / 2, data.length(), "a refused open must not grow the file back");
    }

    @Test
    void shouldRefuseTruncatedMetaFile() throws IOException
    {
        open(context(EvictionPolicyType.LRU)).put(bytes("k"), bytes("v"));
        closeStores();
        stores.clear();
        final File meta = new File(dir(), FerriteStore.META_FILE);
        try (RandomAccessFile raf = new RandomAccessFile(meta, "rw"))
        {
            raf.setLength(meta.length() - 4096);
        }
        final StoreCorruptedException ex = assertThrows(StoreCorruptedException.class,
            () -> open(context(EvictionPolicyType.LRU)), "a truncated meta file must be refused");
        assertTrue(ex.getMessage().contains(meta.getPath()), "message should name the meta file: " + ex.getMessage());
    }

    @Test
    void shouldRefuseSecondOpenOfSameDirectoryWithClearError()
    {
        final FerriteStore store = open(context(EvictionPolicyType.LRU));
        store.put(bytes("k"), bytes("v"));
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> open(context(EvictionPolicyType.LRU)), "second open of an open store");
        assertTrue(ex.getMessage().contains(dir().getPath()) && ex.getMessage().contains("already open"),
            "message should name the store and say it is open: " + ex.getMessage());
        assertThrows(IllegalStateException.class, () -> open(context(EvictionPolicyType.LRU).deleteOnOpen(true)),
            "deleteOnOpen must not let a second open through");
        assertArrayEquals(bytes("v"), store.get(bytes("k")), "the open store is unaffected");
        store.close();
        assertArrayEquals(bytes("v"), open(context(EvictionPolicyType.LRU)).get(bytes("k")),
            "a refused second open (even with deleteOnOpen) must not delete the open store's files");
    }

    @Test
    void shouldStartEmptyWithDeleteOnOpen()
    {
        open(context(EvictionPolicyType.LRU)).put(bytes("k"), bytes("v"));
        closeStores();
        stores.clear();
        final FerriteStore store = open(context(EvictionPolicyType.MFU).capacityBytes(128 * 1024).deleteOnOpen(true));
        assertEquals(0, store.size(), "deleteOnOpen starts empty");
        assertEquals(EvictionPolicyType.MFU, store.policyType(), "and with the settings asked for, not the old files'");
        assertNull(store.get(bytes("k")));
        store.verify();
    }

    @Test
    void shouldRejectRebuildOrDiscardAStoreThatWasNotClosedCleanly() throws IOException
    {
        final FerriteStore first = open(context(EvictionPolicyType.LRU));
        fill(first);
        first.close();
        final File meta = new File(dir(), FerriteStore.META_FILE);
        writeInt(meta, StoreDescriptor.STATE_OFFSET, StoreDescriptor.STATE_OPEN);

        final StoreCorruptedException ex = assertThrows(StoreCorruptedException.class,
            () -> open(context(EvictionPolicyType.LRU).recoveryMode(RecoveryMode.REJECT)),
            "REJECT must refuse a store marked open");
        assertTrue(ex.getMessage().contains("not closed cleanly") && ex.getMessage().contains(dir().getPath()),
            "message should name the store and the reason: " + ex.getMessage());

        final FerriteStore rebuilt = open(context(EvictionPolicyType.LRU).recoveryMode(RecoveryMode.REBUILD));
        rebuilt.verify();
        assertEquals(ENTRIES, rebuilt.size(), "REBUILD keeps every sound entry");
        for (int i = 0; i < ENTRIES; i++)
        {
            assertArrayEquals(valueOf(i), rebuilt.get(bytes("k" + i)), "k" + i + " after rebuild");
        }
        rebuilt.close();

        writeInt(meta, StoreDescriptor.STATE_OFFSET, StoreDescriptor.STATE_OPEN);
        final FerriteStore discarded = open(context(EvictionPolicyType.LRU).recoveryMode(RecoveryMode.DISCARD));
        discarded.verify();
        assertEquals(0, discarded.size(), "DISCARD starts empty");
        assertNull(discarded.get(bytes("k1")));
    }

    @Test
    void shouldRefuseSettingsThatContradictTheFiles()
    {
        open(context(EvictionPolicyType.LRU)).put(bytes("k"), bytes("v"));
        closeStores();
        stores.clear();
        final IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
            () -> open(context(EvictionPolicyType.LRU).capacityBytes(512 * 1024)));
        assertTrue(capacity.getMessage().contains("capacityBytes"), capacity.getMessage());
        final IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
            () -> open(context(EvictionPolicyType.MFU)));
        assertTrue(policy.getMessage().contains("LRU") && policy.getMessage().contains("MFU"), policy.getMessage());
        assertArrayEquals(bytes("v"), open(new StoreContext().dir(dir())).get(bytes("k")),
            "unset settings come from the files");
    }

    private static int readInt(final File file, final int offset) throws IOException
    {
        try (FileChannel channel = new RandomAccessFile(file, "r").getChannel())
        {
            final ByteBuffer buffer = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            channel.read(buffer, offset);
            return buffer.getInt(0);
        }
    }

    private static void writeInt(final File file, final int offset, final int value) throws IOException
    {
        try (FileChannel channel = new RandomAccessFile(file, "rw").getChannel())
        {
            final ByteBuffer buffer = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            buffer.putInt(0, value);
            channel.write(buffer, offset);
        }
    }
}
