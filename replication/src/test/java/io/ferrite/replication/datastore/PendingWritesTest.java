package io.ferrite.replication.datastore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(60)
class PendingWritesTest
{
    private static byte[] b(final String s)
    {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void shouldCoalesceWritesToOneKeyKeepingItsPlaceAndAge()
    {
        final PendingWrites pending = new PendingWrites(10, 1 << 20);
        assertEquals(PendingWrites.ADDED, pending.add(b("a"), b("1"), 10, 1000));
        assertEquals(PendingWrites.ADDED, pending.add(b("b"), b("1"), 11, 1001));
        assertEquals(PendingWrites.COALESCED, pending.add(b("a"), b("2"), 12, 1002));
        assertEquals(2, pending.size());
        assertEquals(1, pending.coalesced());
        assertEquals(1000, pending.oldestDirtySinceMs(), "a rewrite keeps the key's dirty-since time");
        final List<DataStoreRecord> batch = pending.oldest(10, Long.MAX_VALUE);
        assertArrayEquals(b("a"), batch.get(0).key(), "oldest first");
        assertArrayEquals(b("2"), batch.get(0).value(), "the latest value is flushed");
        assertEquals(12, batch.get(0).version());
    }

    @Test
    void shouldKeepAWriteThatArrivedWhileItsOlderVersionWasFlushing()
    {
        final PendingWrites pending = new PendingWrites(10, 1 << 20);
        pending.add(b("k"), b("old"), 10, 0);
        final DataStoreRecord inFlight = pending.oldest(1, Long.MAX_VALUE).get(0);
        pending.add(b("k"), b("new"), 20, 5);
        assertEquals(false, pending.acknowledge(inFlight.key(), inFlight.version()),
            "the ack of version 10 must not clean a key rewritten at 20");
        assertArrayEquals(b("new"), pending.get(b("k")).value());
        assertTrue(pending.acknowledge(b("k"), 20));
        assertNull(pending.get(b("k")));
        assertEquals(0, pending.bytes());
    }

    @Test
    void shouldRefuseNewKeysWhenFullAndNeverDropOne()
    {
        final PendingWrites pending = new PendingWrites(2, 1 << 20);
        pending.add(b("a"), b("1"), 1, 0);
        pending.add(b("b"), b("1"), 2, 0);
        assertEquals(PendingWrites.FULL, pending.add(b("c"), b("1"), 3, 0));
        assertEquals(false, pending.hasRoomFor(b("c"), 1));
        assertEquals(PendingWrites.COALESCED, pending.add(b("a"), b("2"), 4, 0), "a pending key can be rewritten");
        assertEquals(2, pending.size());
        final PendingWrites small = new PendingWrites(100, PendingWrites.ENTRY_OVERHEAD + 10);
        assertEquals(PendingWrites.ADDED, small.add(b("k"), new byte[9], 1, 0));
        assertEquals(PendingWrites.FULL, small.add(b("k"), new byte[10], 2, 0), "bytes bound the set too");
        assertEquals(1, small.get(b("k")).version(), "a refused rewrite leaves the pending write as it was");
    }

    @Test
    void shouldFlushOnlyWritesOlderThanTheDelay()
    {
        final PendingWrites pending = new PendingWrites(10, 1 << 20);
        pending.add(b("a"), b("1"), 1, 100);
        pending.add(b("b"), b("1"), 2, 200);
        assertEquals(1, pending.oldest(10, 150).size());
        assertEquals(0, pending.oldest(10, 99).size());
    }

    /**
     * Random writes, deletes, flushes (some failing, some delivered late by a "deposed leader") against a
     * version-guarded model database: after every step each key's last acknowledged write is either pending or in
     * the database, and after a final drain the database holds exactly the last acknowledged write of every key.
     */
    @Test
    void shouldLoseNoAcknowledgedWriteUnderRandomFlushesFailuresAndLateBatches()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        System.out.println("PendingWritesTest seed=" + seed + " (-Dferrite.test.seed=" + seed + " to repeat)");
        for (int round = 0; round < 50; round++)
        {
            runRandomRound(new Random(seed + round), "seed=" + seed + " round=" + round);
        }
    }

    private static void runRandomRound(final Random random, final String label)
    {
        final PendingWrites pending = new PendingWrites(1 + random.nextInt(40), 1 << 16);
        final Map<String, long[]> db = new HashMap<>();
        final Map<String, byte[]> dbValue = new HashMap<>();
        final Map<String, byte[]> lastAcked = new HashMap<>();
        final Map<String, Long> lastVersion = new HashMap<>();
        final ArrayDeque<List<DataStoreRecord>> inFlight = new ArrayDeque<>();
        long position = 0;
        long now = 0;
        for (int step = 0; step < 2000; step++)
        {
            now += random.nextInt(3);
            final int op = random.nextInt(10);
            if (op < 5)
            {
                final String key = "k" + random.nextInt(30);
                final byte[] value = random.nextInt(8) == 0 ? null : b("v" + step);
                position += 1 + random.nextInt(100);
                if (PendingWrites.FULL != pending.add(b(key), value, position, now))
                {
                    lastAcked.put(key, value);
                    lastVersion.put(key, position);
                }
            }
            else if (op < 7)
            {
                inFlight.add(pending.oldest(1 + random.nextInt(10), now - random.nextInt(5)));
            }
            else if (op < 9 && !inFlight.isEmpty())
            {
                final List<DataStoreRecord> batch = random.nextBoolean() ? inFlight.pollFirst() : inFlight.pollLast();
                if (random.nextInt(4) != 0)
                {
                    for (final DataStoreRecord record : batch)
                    {
                        final String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
                        final long[] held = db.get(key);
                        if (null == held || held[0] < record.version())
                        {
                            db.put(key, new long[]{record.version()});
                            dbValue.put(key, record.value());
                        }
                        pending.acknowledge(record.key(), record.version());
                    }
                }
            }
            checkInvariants(pending, lastAcked, lastVersion, db, dbValue, label + " step=" + step);
        }
        for (int drain = 0; pending.size() > 0; drain++)
        {
            if (drain > 10_000)
            {
                fail(label + ": the pending set does not drain");
            }
            for (final DataStoreRecord record : pending.oldest(7, Long.MAX_VALUE))
            {
                final String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
                final long[] held = db.get(key);
                if (null == held || held[0] < record.version())
                {
                    db.put(key, new long[]{record.version()});
                    dbValue.put(key, record.value());
                }
                pending.acknowledge(record.key(), record.version());
            }
        }
        for (final Map.Entry<String, byte[]> acked : lastAcked.entrySet())
        {
            assertArrayEquals(acked.getValue(), dbValue.get(acked.getKey()),
                label + ": the database must end with the last acknowledged write of " + acked.getKey());
        }
        assertEquals(0, pending.bytes(), label + ": bytes must return to zero");
    }

    private static void checkInvariants(
        final PendingWrites pending,
        final Map<String, byte[]> lastAcked,
        final Map<String, Long> lastVersion,
        final Map<String, long[]> db,
        final Map<String, byte[]> dbValue,
        final String label)
    {
        long bytes = 0;
        long previousDirty = Long.MIN_VALUE;
        final List<String> seen = new ArrayList<>();
        for (final PendingWrites.Entry entry : pending.entries())
        {
            bytes += PendingWrites.ENTRY_OVERHEAD + entry.key().length + (null == entry.value() ? 0 :
                entry.value().length);
            assertTrue(entry.dirtySinceMs() >= previousDirty, label + ": pending set must be oldest first");
            previousDirty = entry.dirtySinceMs();
            seen.add(new String(entry.key(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(bytes, pending.bytes(), label + ": byte count");
        assertTrue(pending.size() <= pending.maxEntries(), label + ": bound");
        for (final Map.Entry<String, byte[]> acked : lastAcked.entrySet())
        {
            final PendingWrites.Entry entry = pending.get(b(acked.getKey()));
            if (null != entry)
            {
                assertArrayEquals(acked.getValue(), entry.value(), label + ": pending holds the last write");
                assertEquals(lastVersion.get(acked.getKey()).longValue(), entry.version(), label);
            }
            else
            {
                assertTrue(db.containsKey(acked.getKey()) &&
                    Arrays.equals(acked.getValue(), dbValue.get(acked.getKey())),
                    label + ": clean key " + acked.getKey() + " must hold its last acknowledged write in the db");
            }
        }
    }
}
